"""The student release in Chinese, and the language of the Gradescope and nbgrader bundles.

`python -m autograder build release` builds English (dist/student/) and Chinese
(dist/student-zh_CN/); the Chinese exercise files carry the docstrings of
autograder/messages/zh_CN/docstrings/<exercise>.toml. What a translation must keep
of the English docstring (the rule of `test_chinese_docstrings_keep_the_code`):

* every ``double-backticked`` span (code, names, formulas), verbatim, as a
  double-backticked span;
* every shape: a parenthesised tuple of two or three dimensions or a one-tuple,
  each an integer, a one-letter name or an ``n_*`` name (``(n, 1)``, ``(1,)``,
  ``(n_in, n_hidden)``);
* every dtype named (``float32``, ``float64``);

and it must be Chinese (hold Han characters).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.build import bundles
from autograder import messages
from autograder.course import registry
from autograder.course.docstrings import DocstringError, docstring_nodes, load_docstrings, translate_docstrings
from autograder.course.stubs import BEGIN, FENCES, hole_functions

from conftest import ROOT, SOLUTIONS

EXERCISES = registry.names()  # discovered from the files, never listed here
VENV = Path(sys.executable).parent.parent  # reuse the kit's environment, as tests/test_release.py does
HAN = re.compile(r"[\u4e00-\u9fff]")
TICKS = re.compile(r"``(.+?)``")
DIM = r"(?:\d+|[a-z]|n_[a-z]+)"
SHAPE = re.compile(rf"\((?:{DIM}, ?){{1,2}}{DIM}?\)")
DTYPES = ("float32", "float64")


def _english_docstrings(exercise: str) -> dict[str, str]:
    tree = ast.parse((SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8"))
    return {key: node.value.value for key, node in docstring_nodes(tree).items()}


# ------------------------------------------------------------------ the translations


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_hole_and_module_has_a_chinese_docstring(exercise):
    """The module, and every function with a hole (a method without a docstring: its class), has an entry."""
    source = (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8")
    chinese = load_docstrings("zh_CN", exercise)
    english = _english_docstrings(exercise)
    assert "module" in chinese, f"{exercise}: no Chinese module docstring (key `module`)"
    for function in hole_functions(source):
        documented = function if function in english else function.rsplit(".", 1)[0]
        assert documented in english, f"{exercise}.{function} has a hole but neither it nor its class has a docstring"
        assert documented in chinese, f"{exercise}.{function}: no Chinese docstring (key {documented!r})"
    missing = sorted(set(english) - set(chinese))
    assert not missing, f"{exercise}: docstrings without a Chinese entry: {missing}"
    unknown = sorted(set(chinese) - set(english))
    assert not unknown, f"{exercise}: Chinese entries that name no docstring: {unknown}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_chinese_docstrings_keep_the_code(exercise):
    chinese = load_docstrings("zh_CN", exercise)
    for key, english in _english_docstrings(exercise).items():
        translated = chinese[key]
        where = f"{exercise} ({key})"
        assert HAN.search(translated), f"{where}: the docstring is not Chinese"
        lost = sorted(set(TICKS.findall(english)) - set(TICKS.findall(translated)))
        assert not lost, f"{where}: code spans of the English docstring missing: {lost}"
        lost = sorted(set(SHAPE.findall(english)) - set(SHAPE.findall(translated)))
        assert not lost, f"{where}: shapes of the English docstring missing: {lost}"
        lost = [dtype for dtype in DTYPES if dtype in english and dtype not in translated]
        assert not lost, f"{where}: dtypes of the English docstring missing: {lost}"


def test_a_missing_translation_stops_the_build_naming_it():
    exercise = EXERCISES[0]
    stub = bundles.exercise_source(exercise, "en")
    entries = load_docstrings("zh_CN", exercise)
    victim = next(key for key in entries if key != "module")
    del entries[victim]
    with pytest.raises(DocstringError, match=re.escape(victim)):
        translate_docstrings(stub, entries, where=exercise)
    entries = {**load_docstrings("zh_CN", exercise), "no_such_function": "某个函数。"}
    with pytest.raises(DocstringError, match="no_such_function"):
        translate_docstrings(stub, entries, where=exercise)


def test_docstrings_are_replaced_in_place_and_reindented():
    source = 'def f(x):\n    """Doc.\n\n    More.\n    """\n    return x\n\n\nclass C:\n    def m(self):\n        """M."""\n'
    out = translate_docstrings(source, {"f": "函数。\n\n    更多 ``x``。\n", "C.m": "方法。"})
    tree = ast.parse(out)
    assert ast.get_docstring(tree.body[0]) == "函数。\n\n更多 ``x``。"
    assert ast.get_docstring(tree.body[1].body[0]) == "方法。"
    assert "    return x\n" in out and '        """方法。"""\n' in out


# ------------------------------------------------------------------ the releases


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`build release` (both languages), unpacked from the zips."""
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "release", "--dist", str(dist)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    unpacked = tmp_path_factory.mktemp("unpacked")
    for name in ("student", "student-zh_CN"):
        assert (dist / name).is_dir() and (dist / f"{name}.zip").is_file(), f"{name} was not built"
        with zipfile.ZipFile(dist / f"{name}.zip") as zf:
            assert all(entry.startswith(f"{name}/") for entry in zf.namelist())
            zf.extractall(unpacked)
    for path in unpacked.rglob("*"):  # zipfile drops the modes
        if path.is_file():
            path.chmod(0o644)
    return {"en": unpacked / "student", "zh_CN": unpacked / "student-zh_CN"}


def test_lang_builds_one_release_only(tmp_path):
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "release", "--dist", str(tmp_path),
                          "--lang", "zh_CN"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["student-zh_CN", "student-zh_CN.zip"]
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "release", "--dist", str(tmp_path),
                          "--lang", "fr"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no release in the language 'fr'" in run.stderr and "zh_CN" in run.stderr


def _interface(source: str) -> dict[str, str]:
    """qualified name -> its signature and decorators (and a class's bases), without docstrings or bodies."""
    found = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[prefix + child.name] = ast.dump(child.args) + str([ast.dump(d) for d in child.decorator_list])
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                found[prefix + child.name] = str([ast.dump(b) for b in child.bases])
                visit(child, prefix + child.name + ".")

    visit(ast.parse(source), "")
    return found


@pytest.mark.parametrize("exercise", EXERCISES)
def test_chinese_exercise_files(built, exercise):
    english = (built["en"] / "exercises" / f"{exercise}.py").read_text(encoding="utf-8")
    chinese = (built["zh_CN"] / "exercises" / f"{exercise}.py").read_text(encoding="utf-8")
    compile(chinese, f"student-zh_CN/exercises/{exercise}.py", "exec")
    assert _interface(chinese) == _interface(english), "the Chinese stub's signatures differ from the English one's"
    tree = ast.parse(chinese)
    docstrings = {key: node.value.value for key, node in docstring_nodes(tree).items()}
    assert docstrings.keys() == docstring_nodes(ast.parse(english)).keys()
    for key, text in docstrings.items():
        assert HAN.search(text), f"{exercise} ({key}): the docstring is still English"
    raises = [line.strip() for line in english.splitlines() if "raise NotImplementedError(" in line]
    named = re.compile(r'raise NotImplementedError\("([\w.]+)')  # the function each hole names, in either language
    chinese_raises = [line.strip() for line in chinese.splitlines() if "raise NotImplementedError(" in line]
    assert raises and [named.match(line)[1] for line in chinese_raises] == [named.match(line)[1] for line in raises]
    assert all(HAN.search(line) and "not implemented" not in line for line in chinese_raises), chinese_raises
    opening, closing = FENCES["zh_CN"]
    assert chinese.count(opening) == chinese.count(closing) == len(raises)
    assert FENCES["en"][0] not in chinese
    body = [node for node in tree.body if not isinstance(node, ast.Expr)]
    english_body = [node for node in ast.parse(english).body if not isinstance(node, ast.Expr)]
    strip = lambda nodes: [ast.dump(n) for n in nodes if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]  # noqa: E731
    assert strip(body) == strip(english_body), "the code outside the functions changed"


def test_chinese_readme_and_makefile(built):
    readme = (built["zh_CN"] / "README.md").read_text(encoding="utf-8")
    assert "@" not in readme.replace("@ ", ""), "a placeholder was left in the README"
    assert HAN.search(readme) and "make grade" in readme
    for exercise in EXERCISES:
        title = bundles.exercise_title(exercise, "zh_CN")
        assert HAN.search(title), title
        assert f"| `exercises/{exercise}.py` | {title} |" in readme, f"{exercise}'s row is not in the Chinese README"
    for lang, release in built.items():
        text = (release / "README.md").read_text(encoding="utf-8")
        for exercise, functions in bundles.hidden_points_by_function().items():
            for function, points in functions.items():
                assert f"| `{exercise}` | `{function}` | {points:g} |" in text, (lang, exercise, function)
    makefile = (built["zh_CN"] / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^GRADE_LANG \?= zh_CN$", makefile, re.M), "the Chinese release's reports are not Chinese"
    assert re.search(r"^GRADE_LANG \?=$", (built["en"] / "Makefile").read_text(), re.M)
    dry = subprocess.run(["make", "-n", "--no-print-directory", "grade", f"VENV={VENV}", "GRADE_LANG=en"],
                         cwd=built["zh_CN"], capture_output=True, text=True, timeout=60)
    assert '--lang "en"' in dry.stdout, "GRADE_LANG can no longer be overridden: " + dry.stdout + dry.stderr


def test_translated_docstrings_stay_out_of_the_releases(built):
    for release in built.values():
        assert not list(release.rglob("docstrings")), "the translations are build input, not part of a release"


def test_make_grade_in_the_chinese_release_prints_a_chinese_report(built, tmp_path):
    work = tmp_path / "student-zh_CN"
    shutil.copytree(built["zh_CN"], work)
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_LANG", *messages.LOCALE_VARIABLES)}
    env["LANG"] = "C.UTF-8"  # an English locale: the release's Makefile chooses Chinese by itself
    run = subprocess.run(["make", "--no-print-directory", "grade", f"VENV={VENV}"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    report = run.stdout
    assert "TOTAL:" not in report and "A further" not in report, report
    assert "总分：0 /" in report and "未实现" in report and "TODO" not in report, report
    assert "另有" in report, "the hidden points line is missing"
    squashed = "".join(report.split())  # the report may wrap long lines
    for exercise, functions in bundles.hidden_points_by_function().items():
        listed = "、".join(f"{function}（{points:g}分）" for function, points in functions.items())
        assert f"{exercise}：{listed}" in squashed, report
    assert "(hidden)" not in report and "（隐藏）" not in report


# ------------------------------------------------------------------ Gradescope and nbgrader


def _build(tmp_path: Path, what: str, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_LANG", *messages.LOCALE_VARIABLES)}
    env["LANG"] = "zh_CN.UTF-8"  # a Chinese instructor: the default is still English
    run = subprocess.run([sys.executable, "-m", "autograder", "build", what, "--dist", str(tmp_path), *extra],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run


def test_gradescope_bundle_carries_the_language(tmp_path):
    _build(tmp_path / "en", "gradescope")
    with zipfile.ZipFile(tmp_path / "en" / "gradescope_autograder.zip") as zf:
        assert "AUTOGRADER_LANG" not in zf.read("run_autograder").decode()
    _build(tmp_path / "zh", "gradescope", "--lang", "zh_CN")
    with zipfile.ZipFile(tmp_path / "zh" / "gradescope_autograder.zip") as zf:
        runner = zf.read("run_autograder").decode()
        assert not any("/docstrings/" in name for name in zf.namelist())
    assert re.search(r"^export AUTOGRADER_LANG=zh_CN$", runner, re.M), runner
    assert runner.index("AUTOGRADER_LANG") < runner.index("exec "), "exported after the grader started"


@pytest.mark.skipif(os.geteuid() != 0, reason="run_autograder drops privileges, which needs root, as on Gradescope")
def test_gradescope_feedback_is_chinese(tmp_path):
    from test_gradescope import gradescope_root, run_autograder

    _build(tmp_path / "dist", "gradescope", "--lang", "zh_CN")
    root = gradescope_root(tmp_path, tmp_path / "dist" / "gradescope_autograder.zip")
    shutil.copyfile(ROOT / "exercises" / f"{EXERCISES[0]}.py", root / "submission" / f"{EXERCISES[0]}.py")
    os.environ.pop("AUTOGRADER_LANG", None)
    data = run_autograder(root)
    outputs = [test["output"] for test in data["tests"] if test["output"]]
    assert outputs and all(HAN.search(output) for output in outputs), outputs[:3]


def test_nbgrader_notebooks_carry_the_language(tmp_path):
    _build(tmp_path / "en", "nbgrader")
    _build(tmp_path / "zh", "nbgrader", "--lang", "zh_CN")
    config = (tmp_path / "zh" / "nbgrader" / "nbgrader_config.py").read_text(encoding="utf-8")
    assert 'os.environ.setdefault("AUTOGRADER_LANG", "zh_CN")' in config
    assert "AUTOGRADER_LANG" not in (tmp_path / "en" / "nbgrader" / "nbgrader_config.py").read_text()
    for exercise in EXERCISES:
        english = nbformat.read(tmp_path / "en" / "nbgrader" / "source" / "backprop" / f"{exercise}.ipynb", 4)
        chinese = nbformat.read(tmp_path / "zh" / "nbgrader" / "source" / "backprop" / f"{exercise}.ipynb", 4)
        assert len(english.cells) == len(chinese.cells)
        assert not HAN.search(english.cells[0].source), "the default notebooks are no longer English"
        assert HAN.search(chinese.cells[0].source), f"{exercise}: the title cell is not Chinese"
        setup = chinese.cells[1].source
        assert 'os.environ.setdefault("AUTOGRADER_LANG", "zh_CN")' in setup
        assert setup.index("AUTOGRADER_LANG") < setup.index("from autograder.channels.notebook import check")
        for en_cell, zh_cell in zip(english.cells, chinese.cells):
            grade_id = en_cell.metadata.get("nbgrader", {}).get("grade_id")
            assert grade_id == zh_cell.metadata.get("nbgrader", {}).get("grade_id")
            if en_cell.metadata.get("nbgrader", {}).get("grade"):  # a test cell: the same call, a Chinese comment
                assert en_cell.source.splitlines()[1:] == zh_cell.source.splitlines()[1:]
                assert HAN.search(zh_cell.source.splitlines()[0]), zh_cell.source
            elif en_cell.cell_type == "code" and BEGIN.replace("# ", "### ") in en_cell.source:
                tree = ast.parse(zh_cell.source)
                function = next(node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
                assert HAN.search(ast.get_docstring(function) or ""), f"{exercise}: {function.name}'s docstring"
                assert _interface(zh_cell.source) == _interface(en_cell.source)
            elif en_cell.cell_type == "markdown":
                assert HAN.search(zh_cell.source), f"{exercise}: an English text cell: {zh_cell.source[:80]}"


def test_hidden_points_file_holds_points_per_exercise_and_function(built):
    for release in built.values():
        checks = release / "autograder" / "checks"
        assert not (checks / "hidden_points.txt").exists() and not (checks / "hidden_points.json").exists()
        table = {path.stem: json.loads(path.read_text())  # one file per exercise
                 for path in sorted((checks / "hidden_points").glob("*.json"))}
        assert table == bundles.hidden_points_by_function()
        assert sum(sum(f.values()) for f in table.values()) == bundles.hidden_points() > 0
        course = registry.course(include_hidden=True)
        for exercise, functions in table.items():
            for function, points in functions.items():
                assert points == sum(c.points for c in course.exercise(exercise).checks
                                     if c.function == function and c.visibility == "hidden")
