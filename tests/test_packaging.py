"""A non-editable install (``pip install .``, the README's way for nbgrader and the container) carries every data
file the package reads: each file of ``autograder/`` that is not Python is matched by ``[tool.setuptools.package-data]``
of the package that holds it, the way setuptools reads those globs."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autograder"
NOT_SHIPPED = ("grader_secret", ".grader_secret.")  # the grader's secret (git-ignored): never in a package


def _owner(path: Path) -> Path:
    """The innermost package (a folder with an ``__init__.py``) that holds ``path``."""
    folder = path.parent
    while not (folder / "__init__.py").is_file():
        folder = folder.parent
    return folder


def test_every_data_file_of_the_package_is_shipped():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    data = [
        path
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.parts
        and not path.name.startswith(NOT_SHIPPED)
    ]
    assert any(path.name == "words.txt" for path in data), "the walk found no data file it should"
    missing = []
    for path in data:
        owner = _owner(path)
        name = ".".join(owner.relative_to(ROOT).parts)
        shipped = {found for pattern in declared.get(name, ()) for found in owner.glob(pattern)}
        if path not in shipped:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"pyproject.toml's package-data leaves out {missing}"
