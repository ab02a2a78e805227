"""Build what an instructor hands out: the student releases and the Gradescope autograder.

``python -m autograder build release|gradescope|nbgrader [--dist DIR] [--lang LANG]``
(``make release``, ``make gradescope``, ``make nbgrader``). Everything is
built from the committed layout of this repository: the exercises are
stripped afresh from ``solutions/``, so a learner's edits in ``exercises/``
never leak into a bundle.

A student release exists in every language of ``RELEASE_LANGUAGES``: English
in ``dist/student/`` (and ``student.zip``), each other one in
``dist/student-<lang>/`` (and ``student-<lang>.zip``). A release in another
language has the exercise files' docstrings from
``autograder/messages/<lang>/docstrings/<exercise>.toml``, the fence comments
of ``stubs.FENCES[lang]`` and the raise of ``stubs.NOT_IMPLEMENTED[lang]``,
``templates/student_README.<lang>.md`` and the
texts of ``templates/release_texts.toml``, and its Makefile reports in that
language by default. Gradescope and nbgrader bundles take one language
(English unless told), which their grading uses at run time.
"""

from __future__ import annotations

import ast
import re
import shutil
import stat
import tomllib
import zipfile
from pathlib import Path

from autograder import messages
from autograder.course import registry, secret, tables
from autograder.course.docstrings import DocstringError, load_docstrings, translate_docstrings
from autograder.course.environ import environment
from autograder.course.stubs import (
    BEGIN,
    END,
    FENCES,
    NOT_IMPLEMENTED,
    answer_leaks,
    answer_pieces,
    strip_solution,
)

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "autograder"
TEMPLATES = PACKAGE / "templates"
RELEASE_LANGUAGES = ("en", "zh_CN")
# Never in a student release: the hidden checks, the tools that read solutions/, the
# translated docstrings (build-time input: they are already in the exercise files), and the
# instructor's channels and outputs (a class, an LMS, Gradescope, nbgrader, shards, the class
# page, the pre-flight check). This set is the only rule: tests/test_release.py requires every
# module a release ships to be loaded by the learner's commands (grade, report, watch).
RELEASE_EXCLUDES = (
    {"checks/hidden", "course/stubs.py", "course/docstrings.py", "build", "templates"}
    | {f"messages/{lang}/docstrings" for lang in RELEASE_LANGUAGES}
    | {
        f"channels/{module}.py"
        for module in ("batch", "gradescope", "nbgrader_grade", "notebook", "shards", "export", "doctor")
    }
    | {
        f"reports/{module}.py"
        for module in ("class_report", "similarity", "gradebook", "classrun", "lms", "lms_rosters")
    }
    | {f"grading/{module}.py" for module in ("class_folder", "preflight", "notebook_cells")}
)


class BuildError(ValueError):
    """A bundle cannot be built as asked (an unknown language, a missing template...)."""


BUILD_ERRORS = (BuildError, DocstringError)  # what `build` reports as "error: ..." rather than a traceback


def bundle_language(lang: str | None, what: str = "bundle") -> str:
    """``zh_CN`` for ``zh_CN``, ``zh-cn`` or ``zh``; a BuildError naming the choices otherwise."""
    found = messages.normalise(lang or "en")
    choices = RELEASE_LANGUAGES if what == "release" else tuple(messages.available())
    if found not in choices:
        raise BuildError(f"no {what} in the language {lang!r}: choose one of {', '.join(choices)}")
    return found


def in_language(lang: str):
    """Every catalogue text (``messages.text``) in ``lang`` while building; the environment restored after."""
    return environment("AUTOGRADER_LANG", lang)


def release_name(lang: str) -> str:
    """``student`` for English (the path earlier releases used), ``student-<lang>`` for the others."""
    return "student" if lang == "en" else f"student-{lang}"


def release_texts(lang: str) -> dict:
    table = tomllib.loads((TEMPLATES / "release_texts.toml").read_text(encoding="utf-8"))
    if lang not in table:
        raise BuildError(f"templates/release_texts.toml has no [{lang}] table: add the release's texts there")
    return table[lang]


def requirements() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return "\n".join(project["dependencies"]) + "\n"


def report_requirements() -> str:
    """What ``make report`` adds for the pictures (the ``report`` extra of pyproject.toml)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return "\n".join(project["optional-dependencies"]["report"]) + "\n"


def hidden_points() -> float:
    """The points of all hidden checks."""
    return sum(e.hidden_points for e in registry.course(include_hidden=True).exercises)


def hidden_points_by_function() -> dict[str, dict[str, float]]:
    """{exercise: {function: points of its hidden checks}}, in course order; functions without any are left out."""
    table: dict[str, dict[str, float]] = {}
    for exercise in registry.course(include_hidden=True).exercises:
        source = (registry.solutions_dir() / f"{exercise.name}.py").read_text(encoding="utf-8")
        order = {
            node.name: index
            for index, node in enumerate(ast.parse(source).body)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        }
        functions: dict[str, float] = {}
        for check in exercise.checks:
            if check.visibility == "hidden":
                functions[check.function] = functions.get(check.function, 0.0) + float(check.points)
        if functions:  # in the order of the exercise file, as the learner meets them
            table[exercise.name] = dict(sorted(functions.items(), key=lambda item: order.get(item[0], len(order))))
    return table


def exercise_source(name: str, lang: str = "en") -> str:
    """The stub of one exercise as a release in ``lang`` holds it (docstrings and fences in that language)."""
    path = ROOT / "solutions" / f"{name}.py"
    stub = strip_solution(
        path.read_text(encoding="utf-8"),
        name,
        str(path),
        fences=FENCES.get(lang, FENCES["en"]),
        not_implemented=NOT_IMPLEMENTED.get(lang, NOT_IMPLEMENTED["en"]),
    )
    if lang == "en":
        return stub
    return translate_docstrings(stub, load_docstrings(lang, name), where=f"exercises/{name}.py ({lang})")


def exercise_title(name: str, lang: str = "en") -> str:
    """The first line of the exercise's module docstring in ``lang``, without its final full stop."""
    source = exercise_source(name, lang)
    first = (ast.get_docstring(ast.parse(source)) or name).splitlines()[0]
    return first.rstrip().rstrip(".。")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def student_readme(lang: str = "en") -> str:
    """The release's README: its template, with the course's exercises and the hidden points per function."""
    texts = release_texts(lang)
    rows = []
    for exercise in registry.course(include_hidden=True).exercises:
        library = texts["library_numpy"] if exercise.sandbox == "numpy" else texts["library_torch"]
        rows.append(f"| `exercises/{exercise.name}.py` | {_cell(exercise_title(exercise.name, lang))} | {library} |")
    hidden = [
        f"| `{exercise}` | `{function}` | {points:g} |"
        for exercise, functions in hidden_points_by_function().items()
        for function, points in functions.items()
    ]
    template = TEMPLATES / ("student_README.md" if lang == "en" else f"student_README.{lang}.md")
    if not template.is_file():
        raise BuildError(f"no README for a {lang} release: write {template.relative_to(ROOT)}")
    return (
        template.read_text(encoding="utf-8")
        .replace("@EXERCISE_ROWS@", "\n".join(rows))
        .replace("@HIDDEN_ROWS@", "\n".join(hidden) or texts["no_hidden"])
    )


def student_makefile(lang: str = "en") -> str:
    """The release's Makefile: ``make submission`` zips exactly the course's exercise files; reports in ``lang``."""
    texts = release_texts(lang)
    files = " ".join(f"exercises/{name}.py" for name in registry.course(include_hidden=True).names)
    default = texts["grade_lang"]
    return (
        (TEMPLATES / "student_Makefile")
        .read_text(encoding="utf-8")
        .replace("@EXERCISE_FILES@", files)
        .replace("GRADE_LANG ?=@GRADE_LANG@", "GRADE_LANG ?=" + (f" {default}" if default else ""))
        .replace("@HELP@", "\n".join(f'\t@echo "{line}"' for line in texts["help"]))
        .replace("@MSG_CREATING@", texts["creating"])
        .replace("@MSG_INSTALLING@", texts["installing"])
        .replace("@MSG_WROTE@", texts["wrote"])
    )


def student_grade_py(lang: str = "en") -> str:
    """The release's ``grade.py``: the learner's commands with Python alone (``autograder.channels.launch``), in
    ``lang``."""
    texts = release_texts(lang)
    default = texts["grade_lang"]
    return (
        (TEMPLATES / "student_grade.py")
        .read_text(encoding="utf-8")
        .replace("@TITLE@", texts["grade_py_title"])
        .replace("@HELP@", "\n".join(texts["grade_py_help"]))
        .replace("DEFAULT_LANG = None", f"DEFAULT_LANG = {default or None!r}")
    )


def _copy_package(target: Path, excludes: set[str]) -> None:
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if "__pycache__" in relative.parts or path.suffix in (".pyc", ".tmp"):
            continue
        if relative.parent.as_posix() == "checks/hidden" and path.name.lstrip(".").startswith(secret.FILE_NAME):
            continue  # the grader's secret: only where build_gradescope puts it, mode 0600
        if any(relative.as_posix() == e or relative.as_posix().startswith(e + "/") for e in excludes):
            continue
        destination = target / "autograder" / relative
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def _zip(folder: Path, archive: Path, prefix: str = "") -> Path:
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = f"{prefix}{path.relative_to(folder).as_posix()}"
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = (path.stat().st_mode & 0o777 | stat.S_IFREG) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return archive


def build_release(dist: Path, lang: str = "en") -> Path:
    """One student release: ``dist/student/`` and ``dist/student.zip`` for English, ``student-<lang>`` otherwise.

    Stubs, public checks, a Makefile and README for students; the hidden points per exercise and
    function in ``autograder/checks/hidden_points/<exercise>.json`` (for the report's "checked after you submit").
    """
    lang = bundle_language(lang, "release")
    name = release_name(lang)
    target = dist / name
    shutil.rmtree(target, ignore_errors=True)
    (target / "exercises").mkdir(parents=True)
    for exercise in registry.course(include_hidden=True).names:
        (target / "exercises" / f"{exercise}.py").write_text(exercise_source(exercise, lang), encoding="utf-8")
    _copy_package(target, RELEASE_EXCLUDES)
    _drop_hidden_titles(target / "autograder" / "messages")
    tables.write_hidden_points(target / "autograder" / "checks", hidden_points_by_function())
    (target / "Makefile").write_text(student_makefile(lang), encoding="utf-8")
    (target / "README.md").write_text(student_readme(lang), encoding="utf-8")
    (target / "grade.py").write_text(student_grade_py(lang), encoding="utf-8")
    shutil.copyfile(ROOT / "constraints.txt", target / "constraints.txt")
    (target / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (target / "requirements-report.txt").write_text(report_requirements(), encoding="utf-8")
    names = hidden_names()
    pieces = answer_pieces(ROOT / "solutions")
    for path in target.rglob("*"):
        content = path.read_text(encoding="utf-8", errors="ignore") if path.is_file() else ""
        if BEGIN in content or END in content:
            raise RuntimeError(f"solution marker left in the release: {path}")
        leaks = answer_leaks(content, pieces)  # the one rule of stubs.py: no substantial piece of an answer line
        if leaks:
            raise BuildError(
                f"{path.relative_to(target)} holds a line of the answers: {leaks[0]} (reword it: "
                f"a hint teaches the idea, it does not hand over the line)"
            )
        named = sorted(n for n in names if n in content)
        if named:
            raise RuntimeError(f"a hidden check is named in the release: {path} holds {named[:3]}")
    return _zip(target, dist / f"{name}.zip", prefix=f"{name}/")


def hidden_names() -> set[str]:
    """Every name of a hidden check: its test name and its title in each language (none may reach a release)."""
    names = set()
    for check in registry.course(include_hidden=True).checks:
        if check.visibility != "hidden":
            continue
        names |= {check.test_id, check.title}
        key = f"{check.exercise.split('_', 1)[0]}.title.{check.test_id}"
        for lang in messages.available():
            if key in messages.keys(lang):
                with in_language(lang):
                    names.add(messages.text(key))
    return names


_TABLE = re.compile(r"^\s*\[\s*(ex\d+)\.title\s*\]\s*(#.*)?$")
_HEADER = re.compile(r"^\s*\[")
_ENTRY = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=")


def _drop_hidden_titles(catalogues: Path) -> None:
    """Remove the titles of hidden checks (``ex<N>.title.<test>``) from the message catalogues of a release."""
    hidden = {check.test_id for check in registry.course(include_hidden=True).checks if check.visibility == "hidden"}
    for path in sorted(catalogues.rglob("*.toml")):
        lines, kept, in_titles = path.read_text(encoding="utf-8").splitlines(keepends=True), [], False
        for line in lines:
            if _HEADER.match(line):
                in_titles = bool(_TABLE.match(line))
            entry = _ENTRY.match(line)
            if in_titles and entry and entry.group(1) in hidden:
                continue
            kept.append(line)
        if len(kept) != len(lines):
            text = "".join(kept)
            tomllib.loads(text)  # still a catalogue
            path.write_text(text, encoding="utf-8")


def build_releases(dist: Path, langs: list[str] | tuple[str, ...] | None = None) -> list[Path]:
    """The student release in each of ``langs`` (default: every one of ``RELEASE_LANGUAGES``)."""
    return [build_release(dist, lang) for lang in (langs or RELEASE_LANGUAGES)]


HIDDEN_VISIBILITIES = ("after_published", "after_due_date")


def build_gradescope(
    dist: Path, allow_weak_sandbox: bool = False, lang: str = "en", hidden_visibility: str = "after_published"
) -> Path:
    """dist/gradescope_autograder.zip: setup.sh, run_autograder, the grader, checks and solutions.

    ``allow_weak_sandbox`` makes run_autograder grade even where the container
    refuses namespaces (the level used is printed in Gradescope's hidden stdout).
    ``lang``: the language of the feedback on Gradescope (run_autograder exports
    ``AUTOGRADER_LANG``; Gradescope's container has no locale to go by).
    ``hidden_visibility``: when students see the hidden checks (Gradescope's
    ``after_published`` or ``after_due_date``; run_autograder exports it).
    """
    lang = bundle_language(lang, "Gradescope bundle")
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise BuildError(f"--hidden-visibility {hidden_visibility!r}: choose after_published or after_due_date")
    target = dist / "gradescope"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    _copy_package(target, {"templates"} | {f"messages/{code}/docstrings" for code in RELEASE_LANGUAGES})
    shutil.copytree(ROOT / "solutions", target / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    # this installation's secret (autograder/course/secret.py): Gradescope's hidden inputs are the instructor's own
    kept = target / "autograder" / "checks" / "hidden" / secret.FILE_NAME
    kept.write_bytes(secret.secret() + b"\n")
    kept.chmod(0o600)
    setup = (TEMPLATES / "gradescope_setup.sh").read_text(encoding="utf-8")
    if allow_weak_sandbox:  # setup.sh's pre-flight (doctor) then accepts what run_autograder will accept
        setup = setup.replace("set -euo pipefail\n", "set -euo pipefail\nexport AUTOGRADER_ALLOW_WEAK_SANDBOX=1\n", 1)
    (target / "setup.sh").write_text(setup, encoding="utf-8")
    runner = (TEMPLATES / "gradescope_run_autograder").read_text(encoding="utf-8")
    if allow_weak_sandbox:
        runner = runner.replace(
            "export GRADESCOPE_ROOT=", "export AUTOGRADER_ALLOW_WEAK_SANDBOX=1\nexport GRADESCOPE_ROOT="
        )
    if lang != "en":  # English is what the grader uses where nothing else is asked for
        runner = runner.replace("export GRADESCOPE_ROOT=", f"export AUTOGRADER_LANG={lang}\nexport GRADESCOPE_ROOT=")
    if hidden_visibility != "after_published":  # when students see the hidden checks, and so their total
        runner = runner.replace(
            "export GRADESCOPE_ROOT=",
            f"export AUTOGRADER_HIDDEN_VISIBILITY={hidden_visibility}\nexport GRADESCOPE_ROOT=",
        )
    (target / "run_autograder").write_text(runner, encoding="utf-8")
    for script in ("setup.sh", "run_autograder"):
        (target / script).chmod(0o755)
    shutil.copyfile(ROOT / "constraints.txt", target / "constraints.txt")
    (target / "requirements.txt").write_text(requirements(), encoding="utf-8")
    return _zip(target, dist / "gradescope_autograder.zip")
