"""Build what an instructor hands out: the student release and the Gradescope autograder.

``python -m autograder build release|gradescope|nbgrader [--dist DIR]``
(``make release``, ``make gradescope``, ``make nbgrader``). Everything is
built from the committed layout of this repository: the exercises are
stripped afresh from ``solutions/``, so a learner's edits in ``exercises/``
never leak into a bundle.
"""

from __future__ import annotations

import ast
import shutil
import stat
import tomllib
import zipfile
from pathlib import Path

from . import registry
from .stubs import BEGIN, END, strip_solution

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autograder"
TEMPLATES = PACKAGE / "templates"
# Never in a student release: the hidden checks, and the tools that read solutions/.
RELEASE_EXCLUDES = {"checks/hidden", "stubs.py", "bundles.py", "notebooks.py", "templates"}


def requirements() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return "\n".join(project["dependencies"]) + "\n"


def hidden_points() -> float:
    return sum(e.hidden_points for e in registry.course(include_hidden=True).exercises)


def student_readme() -> str:
    """The release's README, with the table of the course's exercises (from the registry and the solutions)."""
    rows = ["| file | what it is about | library |", "|---|---|---|"]
    for exercise in registry.course(include_hidden=True).exercises:
        source = (registry.solutions_dir() / f"{exercise.name}.py").read_text(encoding="utf-8")
        title = (ast.get_docstring(ast.parse(source)) or exercise.name).splitlines()[0].rstrip(".")
        library = "NumPy only" if exercise.sandbox == "numpy" else "PyTorch"
        rows.append(f"| `exercises/{exercise.name}.py` | {title} | {library} |")
    return (TEMPLATES / "student_README.md").read_text().replace("@EXERCISE_TABLE@", "\n".join(rows))


def student_makefile() -> str:
    """The release's Makefile: ``make submission`` zips exactly the course's exercise files."""
    files = " ".join(f"exercises/{name}.py" for name in registry.course(include_hidden=True).names)
    return (TEMPLATES / "student_Makefile").read_text().replace("@EXERCISE_FILES@", files)


def _copy_package(target: Path, excludes: set[str]) -> None:
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if "__pycache__" in relative.parts or path.suffix in (".pyc", ".tmp"):
            continue
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


def build_release(dist: Path) -> Path:
    """dist/student/ and dist/student.zip: stubs, public checks, a Makefile and README for students."""
    target = dist / "student"
    shutil.rmtree(target, ignore_errors=True)
    (target / "exercises").mkdir(parents=True)
    for name in registry.course(include_hidden=True).names:
        source = (ROOT / "solutions" / f"{name}.py").read_text()
        (target / "exercises" / f"{name}.py").write_text(strip_solution(source, name))
    _copy_package(target, RELEASE_EXCLUDES)
    (target / "autograder" / "checks" / "hidden_points.txt").write_text(f"{hidden_points():g}\n")
    (target / "Makefile").write_text(student_makefile())
    (target / "README.md").write_text(student_readme())
    shutil.copyfile(ROOT / "constraints.txt", target / "constraints.txt")
    (target / "requirements.txt").write_text(requirements())
    for path in target.rglob("*"):
        if path.is_file() and (BEGIN in path.read_text(errors="ignore") or END in path.read_text(errors="ignore")):
            raise RuntimeError(f"solution marker left in the release: {path}")
    return _zip(target, dist / "student.zip", prefix="student/")


def build_gradescope(dist: Path, allow_weak_sandbox: bool = False) -> Path:
    """dist/gradescope_autograder.zip: setup.sh, run_autograder, the grader, checks and solutions.

    ``allow_weak_sandbox`` makes run_autograder grade even where the container
    refuses namespaces (the level used is printed in Gradescope's hidden stdout).
    """
    target = dist / "gradescope"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    _copy_package(target, {"templates"})
    shutil.copytree(ROOT / "solutions", target / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(TEMPLATES / "gradescope_setup.sh", target / "setup.sh")
    runner = (TEMPLATES / "gradescope_run_autograder").read_text()
    if allow_weak_sandbox:
        runner = runner.replace("export GRADESCOPE_ROOT=", "export AUTOGRADER_ALLOW_WEAK_SANDBOX=1\nexport GRADESCOPE_ROOT=")
    (target / "run_autograder").write_text(runner)
    for script in ("setup.sh", "run_autograder"):
        (target / script).chmod(0o755)
    shutil.copyfile(ROOT / "constraints.txt", target / "constraints.txt")
    (target / "requirements.txt").write_text(requirements())
    return _zip(target, dist / "gradescope_autograder.zip")
