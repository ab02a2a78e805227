"""Build the nbgrader course: one notebook per exercise, from solutions/ and the same checks.

``python -m autograder build nbgrader`` (``make nbgrader``) writes
``dist/nbgrader/nbgrader_config.py`` and ``dist/nbgrader/source/backprop/<exercise>.ipynb``:
explanation cells (``ex<N>.notebook.*`` in the exercise's message file, or
its solution's docstring), the code of each
function as an nbgrader solution cell (its answer between nbgrader's
``### BEGIN SOLUTION`` / ``### END SOLUTION``), and after it one autograded
test cell per check, worth the check's points, calling
:func:`autograder.channels.notebook.check` (hidden checks sit between
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``). A few demonstration
cells draw a picture where one teaches.

``build_course(target, lang)`` writes every text in ``lang`` (``build nbgrader
--lang zh_CN``; English by default from the command line): the explanation
cells and the test cells' comments from the catalogue, the functions'
docstrings from ``messages/<lang>/docstrings/`` (as in that language's student
release), and both the notebooks' setup cell and the course's
``nbgrader_config.py`` set ``AUTOGRADER_LANG`` (unless it is already set), so
that the self-checks in Jupyter and the feedback ``nbgrader autograde`` writes
come in that language too.

The test cells are the learner's self-check in Jupyter. ``nbgrader autograde``
does not run them: the course's config replaces nbgrader's ``Execute`` step
with :class:`autograder.channels.nbgrader_grade.GradeInSandbox`, which grades the
notebook's source in the sandbox; the test cell with grade_id
``<exercise>-<test>`` gets the outcome of that check.
"""

from __future__ import annotations

import ast
import contextlib
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import messages
from autograder.build.bundles import in_language
from autograder.course import registry
from autograder.course.docstrings import load_docstrings, translate_docstrings
from autograder.course.stubs import BEGIN, END
from autograder.messages import keys, language, text

ROOT = Path(__file__).resolve().parent.parent.parent
ASSIGNMENT = "backprop"

CONFIG = '''\
"""nbgrader configuration of the backprop-kit course (built by `make nbgrader`)."""

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = "backprop-kit"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.Execute.timeout = 300
c.ExecutePreprocessor.timeout = 300

# Autograding never runs a submission in a kernel (its cells could rebind `check` and fake
# every pass): GradeInSandbox grades the notebook's source in the kit's sandbox, as
# `python -m autograder grade` does, and writes each test cell's outcome. This is nbgrader's
# own autograde pipeline with its Execute step replaced.
c.Autograde.autograde_preprocessors = [
    "autograder.channels.nbgrader_grade.GradeInSandbox",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Like `batch` and Gradescope, it refuses a sandbox below the 'namespaces' level unless told:
# c.GradeInSandbox.allow_weak_sandbox = True
'''


def _meta(**nbgrader) -> dict:
    return {"nbgrader": {"schema_version": 3, "task": False, **nbgrader}}


def checks_by_function() -> dict[tuple[str, str], list[registry.Check]]:
    """(exercise, function) -> its checks, public first (from the registry)."""
    found: dict = {}
    for item in registry.course(include_hidden=True).checks:
        found.setdefault((item.exercise, item.function), []).append(item)
    for items in found.values():
        items.sort(key=lambda c: c.visibility != "public")
    return found


def notebook_text(exercise: registry.Exercise, source: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """(title, intro, text before each function, demo cell after each function), in the current language.

    They come from ``ex<N>.notebook.*`` in the exercise's message file; an
    exercise without notebook text gets its solution module's docstring as the
    introduction, and no text between the functions.
    """
    prefix = f"{exercise.short}.notebook."
    entries = {key[len(prefix) :]: key for key in keys() | keys(language()) if key.startswith(prefix)}
    docstring = ast.get_docstring(ast.parse(source)) or ""
    first, _, rest = docstring.partition("\n")
    title = text(entries["title"]) if "title" in entries else first.strip() or exercise.name
    intro = text(entries["intro"]) if "intro" in entries else (rest.strip() if "title" not in entries else "")
    before = {name: text(key) for name, key in entries.items() if name not in ("title", "intro") and "." not in name}
    demos = {name[len("demo.") :]: text(key) for name, key in entries.items() if name.startswith("demo.")}
    return title, intro, before, demos


def _solution_cell(source: str) -> str:
    """Our markers -> nbgrader's (the line's indentation is kept)."""
    out = []
    for line in source.splitlines():
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == BEGIN:
            out.append(f"{indent}### BEGIN SOLUTION")
        elif stripped == END:
            out.append(f"{indent}### END SOLUTION")
        else:
            out.append(line)
    return "\n".join(out)


def _title(item: registry.Check) -> str:
    """The check's title in the current language (``ex<N>.title.<test>``), else its docstring's."""
    key = f"{item.exercise.split('_', 1)[0]}.title.{item.test_id}"
    return text(key) if messages.has(key) else item.title


def hidden_cell_names() -> dict[tuple[str, str], str]:
    """(exercise, test name) of each hidden check -> the name its test cell's grade_id gives it instead.

    A release notebook keeps its hidden test cells (emptied by ``nbgrader generate_assignment``) with their
    metadata: their grade_id says only which function they check, ``<exercise>-hidden_<function>_<n>``,
    never the check's name or title (the report shows hidden results as points per function too).
    """
    names: dict[tuple[str, str], str] = {}
    count: dict[tuple[str, str], int] = {}
    for item in registry.course(include_hidden=True).checks:
        if item.visibility == "hidden":
            n = count[(item.exercise, item.function)] = count.get((item.exercise, item.function), 0) + 1
            names[(item.exercise, item.test_id)] = f"hidden_{item.function}_{n}"
    return names


def cell_check(exercise: str, name: str) -> str:
    """The test name behind a test cell's grade_id ``<exercise>-<name>`` (see :func:`hidden_cell_names`)."""
    hidden = {(e, cell): test for (e, test), cell in hidden_cell_names().items()}
    return hidden.get((exercise, name), name)


def _test_cell(item: registry.Check) -> nbformat.NotebookNode:
    exercise, test, info, title = item.exercise, item.test_id, item, _title(item)
    call = f'check("{exercise}", "{test}")'
    if info.visibility == "hidden":  # what stays in the release: the function and the points, nothing else
        test = hidden_cell_names()[(exercise, test)]
        source = (
            text("notebook.cells.hidden_check", function=info.function, points=f"{info.points:g}") + "\n"
            f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS"
        )
    else:
        source = text("notebook.cells.check", title=title, points=f"{info.points:g}") + f"\n{call}"
    return new_code_cell(
        source,
        metadata=_meta(grade=True, solution=False, locked=True, points=info.points, grade_id=f"{exercise}-{test}"),
    )


def _language_setup(lang: str) -> list[str]:
    """Lines that make the grader's texts come in ``lang`` (none for English, the default)."""
    if lang == messages.DEFAULT:
        return []
    return ["import os", f'os.environ.setdefault("AUTOGRADER_LANG", "{lang}")  # {text("notebook.cells.language")}']


def build_notebook(name: str) -> nbformat.NotebookNode:
    """The notebook of one exercise, in the current language (``messages.language()``)."""
    lang = language()
    declared = registry.course(include_hidden=True).exercise(name)
    source = (registry.solutions_dir() / f"{name}.py").read_text(encoding="utf-8")
    # a cell's grade_id names its line in the English solution, in every language
    english_lines = [node.lineno for node in ast.parse(source).body]
    if lang != messages.DEFAULT:
        source = translate_docstrings(source, load_docstrings(lang, name), where=f"solutions/{name}.py ({lang})")
    title, intro, before, demos = notebook_text(declared, source)
    exercise = name
    tree = ast.parse(source)
    english_line = {id(node): line for node, line in zip(tree.body, english_lines, strict=True)}
    lines = source.splitlines()
    checks = checks_by_function()
    cells = [new_markdown_cell(f"# {title}\n\n{intro.strip()}".rstrip())]
    setup = _language_setup(lang) + [
        f"from autograder.channels.notebook import check  # {text('notebook.cells.setup')}"
    ]
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    imports = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
    setup += [ast.get_source_segment(source, node) or "" for node in imports]  # (source given: never None)
    cells.append(
        new_code_cell(
            "\n".join(setup), metadata=_meta(grade=False, solution=False, locked=True, grade_id=f"{exercise}-setup")
        )
    )
    for node in body:
        if node in imports:
            continue
        end = node.end_lineno or node.lineno  # (a parsed tree has both)
        while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip().startswith("#"):
            end += 1  # trailing indented comments (such as the END marker) are not in the AST
        segment = "\n".join(lines[node.lineno - 1 : end])
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            cells.append(
                new_code_cell(
                    segment,
                    metadata=_meta(
                        grade=False, solution=False, locked=True, grade_id=f"{exercise}-{english_line[id(node)]}"
                    ),
                )
            )
            continue
        if node.name in before:
            cells.append(new_markdown_cell(before[node.name].strip()))
        has_answer = BEGIN in segment
        cells.append(
            new_code_cell(
                _solution_cell(segment),
                metadata=_meta(
                    grade=False, solution=has_answer, locked=not has_answer, grade_id=f"{exercise}-{node.name}"
                ),
            )
        )
        for item in checks.get((exercise, node.name), []):
            cells.append(_test_cell(item))
        demo = demos.get(node.name)
        if demo:
            cells.append(new_code_cell(demo.strip("\n")))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


@contextlib.contextmanager
def _in_language(lang: str | None):
    if lang is None:
        yield
        return
    with in_language(lang):
        yield


def build_course(target: Path, lang: str | None = None) -> Path:
    """Write the nbgrader course folder (config and source notebooks) into ``target``.

    ``lang``: the language of every text (``None``: the current one, ``messages.language()``).
    """
    with _in_language(lang):
        lang = language()
        shutil.rmtree(target / "source", ignore_errors=True)
        folder = target / "source" / ASSIGNMENT
        folder.mkdir(parents=True)
        config = CONFIG
        if lang != messages.DEFAULT:
            config = config.replace(
                "c = get_config()  # noqa: F821 - provided by nbgrader\n",
                "c = get_config()  # noqa: F821 - provided by nbgrader\n\n"
                "import os\n\n"
                f"# The feedback autograding writes is in this language (unless AUTOGRADER_LANG is set).\n"
                f'os.environ.setdefault("AUTOGRADER_LANG", "{lang}")\n',
            )
        (target / "nbgrader_config.py").write_text(config, encoding="utf-8")
        for exercise in registry.course(include_hidden=True).names:
            notebook = build_notebook(exercise)
            nbformat.validate(notebook)
            nbformat.write(notebook, folder / f"{exercise}.ipynb")
    return target
