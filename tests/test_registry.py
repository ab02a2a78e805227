"""The checks declare themselves properly: points, titles, visibility, catalogue keys."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

from autograder import EXERCISES
from autograder.messages import keys, text

CHECKS = Path(__file__).resolve().parent.parent / "autograder" / "checks"
PACKAGE = Path(__file__).resolve().parent.parent / "autograder"


def all_checks():
    found = []
    for visibility in ("public", "hidden"):
        for path in sorted((CHECKS / visibility).glob("test_*.py")):
            module = importlib.import_module(f"autograder.checks.{visibility}.{path.stem}")
            for name, fn in vars(module).items():
                if name.startswith("test_") and callable(fn):
                    found.append((visibility, module, fn))
    return found


def test_every_check_is_declared():
    checks = all_checks()
    assert len(checks) >= 30, len(checks)
    titles = []
    for visibility, module, fn in checks:
        info = getattr(fn, "check_info", None)
        assert info is not None, f"{fn.__name__} has no @check(...)"
        assert info.visibility == visibility, f"{fn.__name__} is in checks/{visibility} but declared {info.visibility}"
        assert module.EXERCISE in EXERCISES
        source = (Path(module.__file__).parent.parent.parent.parent / "solutions" / f"{module.EXERCISE}.py").read_text()
        assert f"def {info.function}(" in source, f"{fn.__name__}: no function {info.function} in {module.EXERCISE}"
        title = (fn.__doc__ or "").strip()
        assert title and len(title.splitlines()) == 1, f"{fn.__name__} needs a one-line docstring title"
        titles.append(title)
        if visibility == "public":
            assert "reference" not in inspect.signature(fn).parameters, f"public {fn.__name__} uses the reference"
    assert len(titles) == len(set(titles)), "check titles must be unique (they are the names in every report)"


def test_points_total_100_across_three_exercises():
    per_exercise = {}
    for _, module, fn in all_checks():
        per_exercise[module.EXERCISE] = per_exercise.get(module.EXERCISE, 0) + fn.check_info.points
    assert set(per_exercise) == set(EXERCISES)
    assert sum(per_exercise.values()) == 100, per_exercise


def test_every_function_is_graded():
    graded = {(module.EXERCISE, fn.check_info.function) for _, module, fn in all_checks()}
    for exercise in EXERCISES:
        source = (PACKAGE.parent / "solutions" / f"{exercise}.py").read_text()
        functions = {n.name for n in ast.parse(source).body
                     if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
        # linreg is graded inside the hidden squared_loss check as well as by its own
        missing = {f for f in functions if (exercise, f) not in graded}
        assert not missing, f"{exercise}: no check for {sorted(missing)}"


def test_catalogue_has_every_key_the_grader_uses():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"""["']((?:hint|ex\d|status|expect|layout|report|submission|fmt|what|detail|notebook|gradescope)\.[a-z0-9_.]+)["']""",
                               path.read_text()))
    for path in (Path(__file__).parent / "buggy").glob("*.py"):
        used |= set(re.findall(r'HINT = "([a-z0-9_.]+)"', path.read_text()))
    missing = sorted(k for k in used if k not in keys())
    assert not missing, f"keys used but missing from en.toml: {missing}"


