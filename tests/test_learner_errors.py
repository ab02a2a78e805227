"""Python's and torch's errors in a learner's words, one message per cause, the cause first.

* A file Python cannot read (full-width punctuation, tabs among spaces, indentation, brackets, ...) is decided
  in the grader (``autograder/grading/source_syntax.py``) and told at the line where the problem starts; these files
  cannot be spliced as Python, so the tests here write them directly (the buggy fixtures cover the rest).
* A problem of the whole file (it cannot be read, it stops while imported, it lacks an import) is one entry at
  the top of its exercise in the report, its checks "not checked" in one line; a file not saved as UTF-8
  (``source_encoding``, issue 22) is the same kind of entry.
* Within a function, the entry with the specific cause comes before those that only point to it.
* NumPy's and torch's warnings never show as what the learner's code printed; one that explains a failure is
  named as its cause, at its line.
"""

from __future__ import annotations

import re

import pytest

from autograder.grading import source_syntax
from autograder.messages import label, text
from autograder.grading.results import CheckResult, Report, problem_entries

from conftest import COURSE, copy_solutions, splice

EX1, EX2, EX3, EX4 = "ex1_manual_gradients", "ex2_linear_regression", "ex3_mlp_backprop", "ex4_autograd_nn"
LANGS = ("en", "zh_CN")
PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.fixture(params=LANGS)
def lang(request, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LANG", request.param)
    return request.param


def words(value: str) -> str:
    """``value`` with its whitespace made single spaces (the terminal report wraps at 100 columns)."""
    return " ".join(value.split())


# ----------------------------------------------------------------- 1. what is wrong, at its line

def _problem(source: str) -> dict:
    found = source_syntax.problem(source.encode("utf-8"), "ex.py")
    assert found is not None, source
    return found


@pytest.mark.parametrize("char, twin", [("（", "("), ("）", ")"), ("：", ":"), ("，", ","), ("“", '"'), ("”", '"'),
                                        ("\u3000", " "), ("【", "["), ("；", ";"), ("＝", "=")])
def test_full_width_punctuation_is_named_with_its_ascii_twin_and_line(char, twin):
    source = f"import numpy as np\n\n\ndef f(x):\n    y = x + 1\n    return max(y {char} 2)\n"
    found = _problem(source)
    assert (found["what"], found["line"], found["char"], found["twin"]) == ("full_width", 6, char, twin)
    assert found["text"] == f"return max(y {char} 2)"


def test_every_full_width_character_is_listed_but_none_in_a_string_or_a_comment():
    source = ("def f(x）:\n"
              "    s = '（全角）：没问题'  # 注释里也可以：（）\n"
              "    return max(x，s)：\n")
    found = _problem(source)
    assert (found["line"], found["char"]) == (1, "）")
    assert found["others"] == [[3, "，"], [3, "："]]


def test_tabs_among_spaces_are_the_lines_to_change():
    source = "def f(x):\n    if x:\n        y = 1\n\ty = 2\n    return y\n\n\ndef g(x):\n\treturn x\n"
    found = _problem(source)
    assert found["what"] == "tabs" and found["odd"] == "tabs" and found["odd_lines"] == [4, 9]
    assert found["line"] == 4


@pytest.mark.parametrize("source, what, line, extra", [
    ("def f(x):\n    y = 1\n        return y\n", "unexpected_indent", 3, {}),
    # the block opens on line 2, Python notices on line 3: the message starts at the `for`
    ("def f(x):\n    for i in range(3):\n    x = x + 1\n    return x\n", "expected_block", 2, {"keyword": "for"}),
    ("def f(x):\n    pass\n\n\nclass A:\n    def g(self):\n    return 1\n", "expected_block", 6, {"keyword": "def"}),
    ("def f(x):\n    if x:\n        y = 1\n      y = 2\n    return y\n", "unindent", 4, {"levels": [0, 4, 8]}),
    # an unclosed bracket: the line that opened it, however far down Python read
    ("def f(x):\n    y = np.sum((x - 1) ** 2\n    z = 3\n    return y\n\n\ndef g():\n    return 2\n",
     "never_closed", 2, {"bracket": "(", "closer": ")"}),
    ("def f(x, w, lr, grad):\n    w = w - lr * (grad\n    b = b - lr * grad)\n    return w\n", "never_closed", 2,
     {"bracket": "("}),
    ("def f(x):\n    y = [x,\n         1)\n    return y\n", "mismatch", 2, {"bracket": "[", "closer": ")"}),
    ("def f(x):\n    return (x + 1))\n", "unmatched", 2, {"closer": ")"}),
    ("def f(x)\n    return x\n", "colon", 1, {}),
    ("def f(x):\n    s = 'abc\n    return x\n", "unterminated", 2, {}),
    ('def f(x):\n    """Doc.\n    return x\n', "unterminated_triple", 2, {}),
    ("def f(x):\n    print x\n", "print", 2, {}),
    ("def f(x):\n    if x = 1:\n        return x\n", "assign_in_test", 2, {}),
    ("return 1\n", "return_outside", 1, {}),
    ("def f(x):\n    return 2x\n", "decimal", 2, {}),
    ("def f(x):\n    return x +* 2\n", "other", 2, {}),
])
def test_each_kind_is_told_at_the_line_where_it_starts(source, what, line, extra):
    found = _problem(source)
    assert (found["what"], found["line"]) == (what, line), found
    assert {key: found[key] for key in extra} == extra


def test_a_file_python_can_read_is_no_problem():
    assert source_syntax.problem(b"def f(x):\n\tif x:\n\t\treturn 1\n\treturn 2\n") is None  # tabs alone are fine
    assert source_syntax.problem("x = '（）：，'  # （）\n".encode()) is None
    assert source_syntax.problem(b"x = 1\ny = " + b"(" * 99 + b"1" + b")" * 99 + b"\n") is None


def test_what_is_not_text_or_nested_beyond_pythons_limits_is_still_told():
    found = source_syntax.problem(b"x = 1\ny = 2\x00\n")
    assert (found["what"], found["line"]) == ("null_byte", 2)
    found = source_syntax.problem(b"x = " + b"(" * 5000 + b")" * 5000 + b"\n")  # (Python's parser gives up)
    assert found is not None and found["what"] == "other" and found["line"] == 1


@pytest.mark.parametrize("source", [
    "def f(x）:\n    return x\n", "def f(x):\n    y = 1\n\treturn y\n", "def f(x):\n    y = 1\n        return y\n",
    "def f(x):\n    for i in x:\n    pass\n", "def f(x):\n    if x:\n        y = 1\n      y = 2\n",
    "def f(x):\n    y = (x + 1\n", "def f(x):\n    y = [x)\n", "def f(x):\n    y = x)\n", "def f(x)\n    pass\n",
    "def f(x):\n    s = 'a\n", "def f(x):\n    return x +* 2\n"])
def test_every_account_is_in_the_learners_language_with_its_line(source, lang):
    found = _problem(source)
    said = source_syntax.describe(found, "ex")
    assert not PLACEHOLDER.search(said) and f"{found['line']}" in said and "ex.py" in said, said
    if lang == "zh_CN":
        assert re.search(r"[\u4e00-\u9fff]", said) and "第 " in said, said


# ----------------------------------------------------------------- 2. one entry for the file, at the top

def _write(folder, module, edit):
    copy_solutions(folder)
    path = folder / f"{module}.py"
    source = path.read_text(encoding="utf-8")
    changed = edit(source)
    assert changed != source
    if isinstance(changed, bytes):
        path.write_bytes(changed)
    else:
        path.write_text(changed, encoding="utf-8")
    return path


def _replace(old, new):
    def edit(source):
        assert old in source, old
        return source.replace(old, new, 1)
    return edit


FILE_CASES = {  # name: (module, edit, file_problem, a key whose text the entry must hold (with its fields))
    "full_width_paren": (EX2, _replace("def sgd(params, lr, batch_size):", "def sgd(params, lr, batch_size）:"),
                         "syntax", ("syntax.char.ff09", {})),
    "tab_among_spaces": (EX3, _replace("    return np.maximum(z, 0.0)\n", "\treturn np.maximum(z, 0.0)\n"),
                         "syntax", ("syntax.tabs_among_spaces", {"lines": "60", "file": f"{EX3}.py",
                                                                 "code": "return np.maximum(z, 0.0)"})),
    "unclosed_bracket": (EX2, _replace("    return X @ w + b\n", "    y = (X @ w + b\n    return y\n"),
                         "syntax", ("syntax.never_closed", {"bracket": "(", "closer": ")", "line": 90})),
    "indented_too_far": (EX3, _replace("    return np.maximum(z, 0.0)\n", "    out = np.maximum(z, 0.0)\n"
                                       "        return out\n"), "syntax", ("syntax.unexpected_indent", {"line": 61})),
    "numpy_at_import": (EX4, _replace("def grad_at(f, x):", "DTYPE = np.float32\n\n\ndef grad_at(f, x):"),
                        "missing_import", ("status.file.missing_import", {"name": "np", "module": EX4,
                                                                          "statement": "import numpy as np"})),
    "book_package": (EX2, _replace("import random\n", "import random\nfrom d2l import torch as d2l\n"),
                     "import", ("status.file.book_package", {"name": "d2l", "module": EX2})),
    "misspelt_module": (EX1, _replace("import numpy as np\n", "import nump as np\n"), "import",
                        ("status.file.no_such_module", {"name": "nump", "module": EX1, "code": "import nump as np"})),
    # a learner's own test left at the bottom of the file runs at every import (its frames alone are shown)
    "own_test_at_the_bottom": (EX1, lambda source: source + "\n\nprint(mse_grad(1.0, 0.0, np.array([1.0, 2.0]), "
                               "np.array([1.0, 2.0, 3.0])))\n", "import",
                               ("status.file.raised_at_import", {"module": EX1, "type": "ValueError"})),
    "endless_loop_at_the_top": (EX1, lambda source: source + "\n\nwhile True:\n    pass\n", "import",
                                ("status.file.timeout_at_import", {"module": EX1})),
    "saved_in_gbk": (EX1, lambda source: source.replace("def dloss", "# 损失的导数\ndef dloss", 1).encode("gbk"),
                     "encoding", ("status.encoding", {"encoding": "GBK"})),
    # the Chinese release's files start with a Chinese docstring: Python's own reading of the first line fails
    # before any encoding is guessed (it was told as a syntax error at line 13)
    "saved_in_gbk_chinese_first_line": (EX1, lambda source: ('"""练习 1：' + source[3:]).encode("gbk"), "encoding",
                                        ("status.encoding", {"encoding": "GBK", "line": 1})),
}


def _entries_of(report, module):
    """The "What to fix" entries of one exercise, as the terminal shows them (title, message)."""
    titles = {t.name for t in report.tests if t.exercise == module}
    entries = problem_entries(report.tests)
    mine = [e for e in entries if e.title in titles or module in e.title]
    return mine


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_a_problem_of_the_file_is_one_entry_at_the_top_of_its_exercise(case, lang, tmp_path, grade_path):
    module, edit, kind, (key, fields) = FILE_CASES[case]
    _write(tmp_path / "s", module, edit)
    checks = {c.test_id for c in COURSE.exercise(module).checks}
    report = grade_path(tmp_path / "s", only=checks)
    mine = [t for t in report.tests if t.exercise == module]
    assert all(t.score == 0 and t.file_problem == kind for t in mine), [(t.name, t.file_problem) for t in mine]
    entries = _entries_of(report, module)
    assert len(entries) == 1, [e.title for e in entries]  # one entry: no "not checked" entry per check
    (entry,) = entries
    assert entry.title == text(f"report.file.title.{kind}", module=module)
    from test_buggy_submissions import said

    assert said(key, fields).search(entry.message), entry.message
    functions = text("report.file.separator").join(f"`{f}`" for f in dict.fromkeys(t.function for t in mine))
    assert entry.message.endswith(text("report.file.not_checked_all", count=len(mine), functions=functions))
    rendered = report.render("s")
    assert words(text("report.file.first_failure", module=module)) in words(rendered)
    assert rendered.count("\n[") == 1, rendered  # the file's entry alone under "What to fix"
    assert "SyntaxError" not in rendered and "Traceback" not in rendered and "<frozen" not in rendered
    assert not PLACEHOLDER.search(rendered)


def test_a_missing_import_is_blamed_on_the_files_top_and_the_rest_still_counts(lang, tmp_path, grade_path):
    """ex1 without `import numpy as np`: dloss (which needs no NumPy) keeps its points; every check that stopped
    at `np` is in the one entry for the file, which names the import and sends the learner to the file's top."""
    _write(tmp_path / "s", EX1, _replace("import numpy as np\n", ""))
    report = grade_path(tmp_path / "s", only={c.test_id for c in COURSE.exercise(EX1).checks})
    stopped = [t for t in report.tests if t.file_problem == "missing_import"]
    assert stopped and all(t.score == 0 for t in stopped)
    assert {t.function for t in stopped} >= {"mse_grad", "fit_line"}
    assert all(t.status == "passed" for t in report.tests if t.function == "dloss")
    (entry,) = _entries_of(report, EX1)
    assert text("status.file.missing_import", module=EX1, name="np", statement="import numpy as np") in entry.message
    assert text("layout.file.where_top", module=EX1) in entry.message
    assert text("hint.error.name_error") not in entry.message  # not "a misspelt name"
    functions = text("report.file.separator").join(f"`{f}`" for f in dict.fromkeys(t.function for t in stopped))
    assert entry.message.endswith(text("report.file.not_checked", count=len(stopped), total=len(report.tests),
                                       functions=functions))


def test_a_name_imported_inside_another_function_is_still_a_missing_import(tmp_path, grade_path):
    """The learner imported NumPy inside dloss only: mse_grad's `np` is the file's missing import."""
    def edit(source):
        source = source.replace("import numpy as np\n", "", 1)
        return source.replace('    """\n    # BEGIN SOLUTION\n', '    """\n    import numpy as np\n    # BEGIN SOLUTION\n', 1)
    _write(tmp_path / "s", EX1, edit)
    report = grade_path(tmp_path / "s", only={"test_dloss_scalar", "test_mse_grad_autograd"})
    by_id = {t.test_id: t for t in report.tests}
    assert by_id["test_dloss_scalar"].status == "passed"
    assert by_id["test_mse_grad_autograd"].file_problem == "missing_import"


# ----------------------------------------------------------------- 3. the cause first, within a function

def _result(name, function, message, hint="", pointer=False, file_problem="", exercise=EX2):
    return CheckResult(name, exercise, function, 0.0, 2.0, "failed", "public", message=message, hint=hint,
                       pointer=pointer, file_problem=file_problem)


def test_a_functions_specific_cause_comes_before_what_only_points_to_it():
    results = [
        _result("linreg: first", "linreg", "wrong values"),
        _result("data_iter: random order", "data_iter", "it has this property, but...", hint="hint.fix_values_first"),
        _result("data_iter: same as above", "data_iter", "same cause as ...", pointer=True),
        _result("data_iter: each example once", "data_iter", "a batch is missing: the cause"),
        _result("linreg: hidden", "linreg", "same cause as linreg: first", pointer=True),
        _result("train: blocked", "train", "not checked", pointer=True, file_problem="missing_import"),
        _result("train: import", "train", "`np` is not defined", file_problem="missing_import"),
    ]
    titles = [e.title for e in problem_entries(results)]
    assert titles == [text("report.file.title.missing_import", module=EX2), "linreg: first", "linreg: hidden",
                      "data_iter: each example once", "data_iter: random order", "data_iter: same as above"]
    report = Report(results)
    rendered = report.render()
    assert rendered.index("a batch is missing") < rendered.index("it has this property")


# ----------------------------------------------------------------- 4. warnings: a cause, never "printed"

NAIVE_SIGMOID = "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n"
RATIO_SIGMOID = "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"


def test_an_overflow_that_breaks_the_result_is_named_at_its_line_never_printed(lang, tmp_path, grade_path):
    folder = copy_solutions(tmp_path / "s")
    path = folder / f"{EX3}.py"
    path.write_text(splice(path.read_text(), RATIO_SIGMOID))
    line = path.read_text().splitlines().index("    return np.exp(z) / (1 + np.exp(z))") + 1
    report = grade_path(folder, only={"test_sigmoid", "test_sigmoid_grad"})
    result = next(t for t in report.tests if t.test_id == "test_sigmoid")
    assert result.status == "failed" and not result.printed
    inside = text("warned.inside", function="sigmoid")
    said = text("warned.overflow", op="exp", line=line, file=f"{EX3}.py", inside=inside)
    assert label("layout.cause") + f"{said}\n    return np.exp(z) / (1 + np.exp(z))" in result.message
    assert text("hint.not_finite") not in result.message  # the guess gives way to what NumPy saw
    rendered = report.render()
    assert text("report.printed.title") not in rendered and "RuntimeWarning" not in rendered
    assert rendered.count(words(said)[:40]) <= 1 and "/submission" not in rendered


def test_a_warning_of_a_check_that_passes_is_not_shown(tmp_path, grade_path):
    """1 / (1 + exp(-z)) overflows at z = -800, yet gives the right 0.0: nothing to say."""
    folder = copy_solutions(tmp_path / "s")
    path = folder / f"{EX3}.py"
    path.write_text(splice(path.read_text(), NAIVE_SIGMOID))
    report = grade_path(folder, only={"test_sigmoid"})
    (result,) = report.tests
    assert result.status == "passed" and not result.printed and not result.message


def test_warnings_from_the_worker_are_checked_against_the_graders_copy():
    from autograder.sandbox.client import warned_at

    files = {EX3: b"import numpy as np\n\ndef sigmoid(z):\n    return np.exp(z)\n"}
    good = {"category": "RuntimeWarning", "message": "overflow encountered in exp", "file": f"{EX3}.py", "line": 4}
    assert warned_at([good], EX3, files) == [{**good, "code": "return np.exp(z)"}]
    forged = [{**good, "line": 99}, {**good, "file": "../../etc/passwd"}, {**good, "category": "x; rm"},
              {**good, "message": 3}, "text", {**good, "file": f"{EX1}.py"}]
    assert warned_at(forged, EX3, files) == []
    assert len(warned_at([good] * 50, EX3, files)) <= 4
    assert warned_at({"not": "a list"}, EX3, files) == []
    shown = warned_at([{**good, "message": "overflow\x1b[2J in exp\n[PASS]"}], EX3, files)
    assert "\x1b" not in shown[0]["message"] and "\n" not in shown[0]["message"]
