"""The course is discovered from its files: checks declare themselves, broken declarations are named.

Totals and per-exercise points come from the registry (the sum of declared
points); nothing here lists the exercises.
"""

from __future__ import annotations

import ast
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from autograder import messages
from autograder.course import registry
from autograder.messages import keys

from conftest import COURSE, ROOT

CHECKS = ROOT / "autograder" / "checks"
PACKAGE = ROOT / "autograder"


def test_the_course_is_what_the_files_say():
    solutions = sorted(p.stem for p in (ROOT / "solutions").glob("ex*.py"))
    assert list(COURSE.names) == sorted(solutions, key=lambda n: int(n.split("_")[0][2:]))
    assert sorted(p.stem for p in (ROOT / "exercises").glob("ex*.py")) == solutions
    assert len(COURSE.checks) >= 30, len(COURSE.checks)
    for exercise in COURSE.exercises:
        assert exercise.checks and exercise.points == sum(c.points for c in exercise.checks)
        assert any(c.visibility == "public" for c in exercise.checks), exercise.name
    assert COURSE.max_score == sum(c.points for c in COURSE.checks)
    assert registry.course(include_hidden=False).max_score == sum(c.points for c in COURSE.checks
                                                                   if c.visibility == "public")


def test_checks_declare_points_titles_and_visibility():
    titles = [c.title for c in COURSE.checks]
    assert len(titles) == len(set(titles)), "check titles must be unique (they are the names in every report)"
    for item in COURSE.checks:
        assert item.path.parent.name == item.visibility
        assert item.points > 0 and item.title and "\n" not in item.title
        if item.visibility == "public":
            assert not item.takes_reference, f"public {item.test_id} uses the reference"


def test_the_declared_total_holds_if_the_course_declares_one():
    wanted = registry.declared_total()
    if wanted is not None:
        assert COURSE.max_score == wanted


def test_every_function_is_graded():
    graded = {(c.exercise, c.function) for c in COURSE.checks}
    for exercise in COURSE.names:
        source = (ROOT / "solutions" / f"{exercise}.py").read_text()
        functions = {n.name for n in ast.parse(source).body
                     if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")}
        missing = {f for f in functions if (exercise, f) not in graded}
        assert not missing, f"{exercise}: no check for {sorted(missing)}"


def test_numpy_only_exercises_are_declared_and_their_solutions_do_without_torch():
    for exercise in COURSE.exercises:
        imports_torch = registry._solution_imports_torch(ROOT / "solutions" / f"{exercise.name}.py")
        assert imports_torch == (exercise.sandbox == "torch"), exercise.name


def test_checks_import_neither_the_runner_nor_public_check_modules():
    for path in CHECKS.rglob("*.py"):
        source = path.read_text()
        assert "autograder.grading.runner" not in source, f"{path} imports the runner"
        if path.parent.name == "hidden":
            assert "checks.public" not in source, f"{path} imports a public check module"


def test_the_sandbox_package_holds_nothing_of_any_exercise():
    for path in (PACKAGE / "sandbox").glob("*.py"):
        assert not re.search(r"\bex\d+_|\bEX\d\b", path.read_text()), f"{path} names an exercise"


def test_catalogue_has_every_key_the_grader_uses():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"""["']((?:hint|ex\d+|status|expect|layout|report|submission|fmt|what|detail|notebook|gradescope|launch)\.[a-z0-9_.]+)["']""",
                               path.read_text()))
    for path in (Path(__file__).parent / "buggy").glob("*.py"):
        used |= set(re.findall(r'HINT = "([a-z0-9_.]+)"', path.read_text()))
    used = {k for k in used if not re.search(r"\.(html|zip|json|csv|py)$", k)}  # file names: report.html ...
    missing = sorted(k for k in used if k not in keys())
    assert not missing, f"keys used but missing from the English catalogue: {missing}"


def test_each_exercise_keeps_its_texts_in_its_own_files():
    for lang_dir in [p for p in (PACKAGE / "messages").iterdir() if p.is_dir() and p.name != "__pycache__"]:
        for path in lang_dir.glob("*.toml"):
            assert path.stem in COURSE.names, f"{path}: no exercise of that name"
    common = (PACKAGE / "messages" / "en.toml").read_text()
    assert not re.search(r"^\[(ex\d+|hint\.ex\d+)[\].]", common, re.M), "exercise texts belong in en/<exercise>.toml"


# ----------------------------------------------------------------- broken declarations


def _scratch_course(tmp_path: Path) -> tuple[Path, Path]:
    checks = tmp_path / "checks"
    shutil.copytree(CHECKS, checks, ignore=shutil.ignore_patterns("__pycache__"))
    solutions = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions", solutions, ignore=shutil.ignore_patterns("__pycache__"))
    return checks, solutions


GOOD_CHECK = '''
    from autograder.course.registry import check

    EXERCISE = "{exercise}"


    @check(points=1, function="{function}")
    def test_{function}_{tag}(student):
        """{function}: {tag}"""
'''


def _add_check(checks: Path, name: str, exercise: str, function: str = "f", tag: str = "works", body: str = ""):
    (checks / "public" / name).write_text(textwrap.dedent(GOOD_CHECK.format(exercise=exercise, function=function,
                                                                            tag=tag)) + body)


@pytest.mark.parametrize("case, expected", [
    ("no_solution", "EXERCISE 'ex9_extra' (declared in"),
    ("no_checks", "has no checks: create autograder/checks/public/test_ex9.py with EXERCISE = \"ex9_extra\""),
    ("bad_name", "is not a valid exercise name"),
    ("no_exercise", "declare which exercise it checks"),
    ("no_decorator", "has no @check(points=..., function=...)"),
    ("unknown_function", "grades 'nope', but"),
    ("unknown_used_function", "says it uses 'nope', but"),
    ("duplicate_number", "two exercises are numbered 1"),
    ("numpy_with_torch", "imports torch, but its checks declare SANDBOX = \"numpy\""),
    ("wrong_total", "asks for total_points = 7"),
    ("duplicate_title", "is also the title of"),
    ("sandbox_hidden_only", "SANDBOX is declared in the hidden checks only"),
])
def test_a_broken_declaration_is_named(tmp_path, case, expected):
    checks, solutions = _scratch_course(tmp_path)
    solution = "def f(x):\n    return x\n"
    if case == "no_solution":
        _add_check(checks, "test_ex9.py", "ex9_extra")
    elif case == "no_checks":
        (solutions / "ex9_extra.py").write_text(solution)
    elif case == "bad_name":
        _add_check(checks, "test_ex9.py", "extra")
    elif case == "no_exercise":
        (checks / "public" / "test_ex9.py").write_text("def test_x(student):\n    '''x'''\n")
    elif case == "no_decorator":
        (solutions / "ex9_extra.py").write_text(solution)
        _add_check(checks, "test_ex9.py", "ex9_extra", body="\n\ndef test_undeclared(student):\n    '''x'''\n")
    elif case == "unknown_function":
        (solutions / "ex9_extra.py").write_text(solution)
        _add_check(checks, "test_ex9.py", "ex9_extra", function="nope")
    elif case == "unknown_used_function":
        (solutions / "ex9_extra.py").write_text(solution)
        _add_check(checks, "test_ex9.py", "ex9_extra")
        text = (checks / "public" / "test_ex9.py").read_text().replace('function="f")', 'function="f", uses=("nope",))')
        (checks / "public" / "test_ex9.py").write_text(text)
    elif case == "duplicate_number":
        (solutions / "ex1_other.py").write_text(solution)
        _add_check(checks, "test_ex1b.py", "ex1_other")
    elif case == "numpy_with_torch":
        (solutions / "ex9_extra.py").write_text("import torch\n\n\n" + solution)
        _add_check(checks, "test_ex9.py", "ex9_extra", body='\nSANDBOX = "numpy"\n')
    elif case == "wrong_total":
        (checks / "course.toml").write_text("total_points = 7\n")
    elif case == "duplicate_title":
        (solutions / "ex9_extra.py").write_text(solution)
        _add_check(checks, "test_ex9.py", "ex9_extra", function="f", tag="works")
        _add_check(checks, "test_ex9b.py", "ex9_extra", function="f", tag="works")
        text = (checks / "public" / "test_ex9b.py").read_text().replace("def test_f_works", "def test_f_works_too")
        (checks / "public" / "test_ex9b.py").write_text(text)
    elif case == "sandbox_hidden_only":
        (solutions / "ex9_extra.py").write_text(solution)
        _add_check(checks, "test_ex9.py", "ex9_extra")
        (checks / "hidden" / "test_ex9.py").write_text(textwrap.dedent(GOOD_CHECK.format(
            exercise="ex9_extra", function="f", tag="hidden")).replace("@check(points=1, function=\"f\")",
            "@check(points=1, function=\"f\", visibility=\"hidden\")") + '\nSANDBOX = "numpy"\n')
    with pytest.raises(registry.CourseError) as caught:
        registry.discover(checks, solutions, include_hidden=True)
    assert expected in str(caught.value), str(caught.value)


def test_uses_names_functions():
    with pytest.raises(ValueError, match="uses must be a tuple of function names"):
        registry.check(points=1, function="f", uses="mlp_forward")  # a string is not a tuple of names


def test_a_new_exercise_needs_only_new_files(tmp_path):
    checks, solutions = _scratch_course(tmp_path)
    (solutions / "ex9_extra.py").write_text("def f(x):\n    return x\n")
    _add_check(checks, "test_ex9.py", "ex9_extra")
    course = registry.discover(checks, solutions, include_hidden=True)
    assert course.names[-1] == "ex9_extra" and course.max_score == COURSE.max_score + 1
    assert course.exercise("ex9").sandbox == "torch"


def test_an_exercise_text_file_keeps_to_its_prefix(tmp_path, monkeypatch):
    folder = tmp_path / "messages"
    (folder / "en").mkdir(parents=True)
    (folder / "en.toml").write_text("[layout]\nwhere = 'x'\n")
    (folder / "en" / "ex9_extra.toml").write_text("[ex9]\nfine = 'ok'\n[ex1]\nstray = 'no'\n")
    monkeypatch.setattr(messages, "HERE", folder)
    messages._load.cache_clear()
    try:
        with pytest.raises(messages.CatalogueError, match="every key of this exercise's file starts with 'ex9.'"):
            messages._load("en")
    finally:
        messages._load.cache_clear()


def test_make_grade_names_a_broken_declaration(tmp_path):
    """A solution file without checks stops grading with one line naming the file, not a traceback."""
    import os
    import subprocess
    import sys

    solutions = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions", solutions, ignore=shutil.ignore_patterns("__pycache__"))
    (solutions / "ex9_extra.py").write_text("def f(x):\n    return x\n")
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(ROOT / "solutions")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "AUTOGRADER_SOLUTIONS": str(solutions)})
    assert run.returncode == 2, run.stdout + run.stderr
    assert "ex9_extra.py has no checks" in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_a_notebook_without_text_opens_with_the_solution_docstring():
    from autograder.build.notebooks import notebook_text

    exercise = registry.Exercise("ex9_extra", 9, "torch", ())
    source = '"""Exercise 9: something new.\n\nWhat it is about, in a paragraph.\n"""\n\n\ndef f(x):\n    return x\n'
    title, intro, before, demos = notebook_text(exercise, source)
    assert (title, intro, before, demos) == ("Exercise 9: something new.", "What it is about, in a paragraph.", {}, {})


def test_stubs_name_methods_by_their_class():
    from autograder.course.stubs import strip_solution

    source = ("class Net:\n    def forward(self, x):\n        # BEGIN SOLUTION\n        return x\n"
              "        # END SOLUTION\n")
    assert 'NotImplementedError("ex9_extra.Net.forward: not implemented yet")' in strip_solution(source, "ex9_extra")


REFUSED_CHECKS = {
    "a fixture of its own": "@pytest.fixture\ndef data():\n    return 1\n\n\n@check(points=1, function='f')\n"
                            "def test_x(student, data):\n",
    "parametrize": "@check(points=1, function='f')\n@pytest.mark.parametrize('n', [1, 2])\ndef test_x(student, n):\n",
    "a mark": "@check(points=1, function='f')\n@pytest.mark.skip\ndef test_x(student):\n",
}


@pytest.mark.parametrize("case", sorted(REFUSED_CHECKS))
def test_a_check_that_needs_more_of_pytest_than_the_runner_gives_is_refused(tmp_path, case):
    """The runner runs pytest's collected checks itself: a fixture of the check module's own, a parametrize
    or a mark would be quietly ignored there, so collection names the check instead."""
    from autograder.grading.runner import GraderError, collect

    path = tmp_path / "test_extra.py"
    path.write_text(f"import pytest\n\nfrom autograder.course.registry import check\n\nEXERCISE = {COURSE.names[0]!r}\n\n\n"
                    f"{REFUSED_CHECKS[case]}    \"\"\"f: a title\"\"\"\n", encoding="utf-8")
    with pytest.raises(GraderError, match=r"test_x(\[1\])?: a check takes only the fixtures"):
        collect((str(path),))
