"""A report a beginner can read: lines that fit the terminal, array previews around the largest error,
where a timed-out call was stopped, and what the learner's code printed, in English and in Chinese.

The worker's side of the last two is learner-controlled: the tests also check that a forged or missing
"where" notice changes nothing but the message, that the hard time limit holds, and that printed text
cannot reach the terminal as escape sequences or look like the report's own lines.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.checking.expect import CheckFailed, display_width, expect_array, expect_float, expect_tensor, previews
from autograder.messages import text
from autograder.grading.results import WIDTH, wrap
from autograder.sandbox.client import Limits, Printed, Session, StudentTimeout, printable, stopped_at
from autograder.sandbox.codec import RemoteTensor

from conftest import BUGGY, COURSE, ROOT, build_buggy, copy_solutions, splice

EX1 = "ex1_manual_gradients"
LANGS = ("en", "zh_CN")
ESCAPE_OR_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(params=LANGS)
def lang(request, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LANG", request.param)
    return request.param


def _too_wide(rendered: str) -> list[str]:
    return [line for line in rendered.splitlines() if display_width(line) > WIDTH]


def _block(rendered: str, title: str) -> str:
    """The "What to fix" entry of the check titled ``title``: from its header to the next blank line."""
    start = rendered.index(f"] {title}")
    end = rendered.find("\n\n", start)
    return rendered[start:end if end >= 0 else None]


# ----------------------------------------------------------------- 1. every line fits 100 columns

def test_wrap_keeps_every_word_and_fits_the_width():
    line = ("    " + "dloss(0.7, x, y) 的结果在 20 个元素中有 2 个偏差过大，最大误差为 0.5（相对误差 0.0385），"
            "位于索引 (13,)。" * 3 + " a_very_long_identifier_without_any_space_" * 4)
    parts = wrap(line, width=60)
    assert all(display_width(part) <= 60 for part in parts), parts
    assert all(part.startswith("    ") for part in parts), parts  # continuation keeps the indentation
    assert "".join(p.strip() for p in parts).replace(" ", "") == line.replace(" ", "")
    assert not any(part.strip().startswith(("，", "。", "）")) for part in parts), parts
    assert wrap("short", width=60) == ["short"]


@pytest.mark.parametrize("width", [36, 60, 100])
def test_a_line_never_breaks_inside_a_code_span_or_a_chinese_word(width):
    """Every Chinese text of the catalogues, wrapped: no break inside a `code span` or inside a Chinese word (a
    word of messages/zh_CN/words.txt, every glossary term among them, or a run of at most four characters), unless
    the piece is longer than a whole line and is cut where the line ends."""
    from autograder.messages import _load
    from autograder.grading.results import SHORT_RUN, _words, glued

    words, _ = _words()
    assert {"小批量", "反向传播", "迭代周期", "梯度清零", "检查项"} <= words  # glossary terms
    assert glued("相同") == {1} and 3 in glued("用 `for i in x` 循环"), "a short run and a code span stay whole"
    wrapped_lines = 0
    for key, template in _load("zh_CN").items():
        if ".demo." in key:
            continue
        for line in template.splitlines():
            body = line.strip()
            parts = wrap("    " + body, width=width)
            wrapped_lines += len(parts) > 1
            keep, position = glued(body), 0
            for before, part in zip(parts, parts[1:]):
                position = body.index(part.strip(), position + 1)
                start, end = position - 1, position
                while start in keep:
                    start -= 1
                while end + 1 in keep:
                    end += 1
                if display_width(body[start:end + 1]) <= width - 4:  # (a piece longer than a line is cut)
                    assert position not in keep, f"{key}: broken inside a word or code span at width {width}: " \
                        f"{before.strip()[-12:]!r} | {part.strip()[:12]!r}"
    assert wrapped_lines > 50 and SHORT_RUN == 4


# Fixtures whose messages cover the kinds of lines a report has: values, shapes, types, exceptions with
# tracebacks, diagnoses of training, a syntax error, hints about autograd.
WIDTH_FIXTURES = ("ex1_dloss_sign", "ex2_squared_loss_no_reshape", "ex2_linreg_returns_numpy",
                  "ex2_sgd_no_no_grad", "ex2_train_no_backward", "ex3_mlp_backward_act_grad_at_a1")


def test_the_width_fixtures_exist():
    assert all((BUGGY / f"{name}.py").is_file() for name in WIDTH_FIXTURES)


@pytest.mark.parametrize("which", ["solutions", "stubs"])
def test_the_reports_of_the_reference_and_the_stubs_fit(which, lang, grade_path):
    folder = ROOT / ("solutions" if which == "solutions" else "exercises")
    rendered = grade_path(folder).render(str(folder))
    assert not _too_wide(rendered), "\n".join(_too_wide(rendered))


@pytest.mark.parametrize("name", [name for name in WIDTH_FIXTURES if (BUGGY / f"{name}.py").is_file()])
def test_the_reports_of_buggy_submissions_fit(name, lang, tmp_path, grade_path):
    bug = build_buggy(BUGGY / f"{name}.py", tmp_path / "submission")
    exercise = COURSE.exercise(bug["MODULE"])
    report = grade_path(tmp_path / "submission", only={c.test_id for c in exercise.checks})
    assert any(t.status != "passed" for t in report.tests)
    rendered = report.render(str(tmp_path / "submission"))
    assert text("report.problems") in rendered
    assert not _too_wide(rendered), "\n".join(_too_wide(rendered))


# ----------------------------------------------------------------- 2. previews around the largest error

def _failure(call) -> str:
    with pytest.raises(CheckFailed) as info:
        call()
    return info.value.message


def test_a_large_array_is_shown_around_its_largest_error(lang):
    expected = np.linspace(0.0, 1.0, 200)
    got = expected.copy()
    got[150] += 7.0
    message = _failure(lambda: expect_array(got, expected, what="f(x)", rtol=1e-6, atol=1e-6))
    shown_expected, shown_got, note = previews(expected, got, (150,))
    assert f"{expected[150]:.6g}" in shown_expected and f"{got[150]:.6g}" in shown_got
    assert f"{expected[147]:.6g}" in shown_got and f"{expected[152]:.6g}" in shown_got  # its neighbours
    assert f"{expected[1]:.6g}" not in shown_expected  # not the first entries
    assert note == text("fmt.preview.window", region="147:153", index=(150,))
    for part in (shown_expected, shown_got, note):
        assert part in message, message
    # each entry of got sits right below its counterpart of expected
    assert shown_expected.index(f"{expected[150]:.6g}") + len(f"{expected[150]:.6g}") == \
        shown_got.index(f"{got[150]:.6g}") + len(f"{got[150]:.6g}")


def test_a_column_is_shown_around_its_largest_error_along_its_long_axis(lang):
    expected = np.arange(40.0).reshape(40, 1)
    got = expected.copy()
    got[3, 0] = -1.0
    shown_expected, shown_got, note = previews(expected, got, (3, 0))
    assert note == text("fmt.preview.window", region="0:6, 0", index=(3, 0))
    assert "-1" in shown_got and "…" not in shown_expected.split("]")[0][:3]  # the window starts at 0


def test_a_tensor_is_called_a_tensor_and_an_array_an_array(lang):
    expected = np.arange(30.0, dtype=np.float64)
    got = expected.astype(np.float32)
    got[20] = 99.0
    tensor = _failure(lambda: expect_tensor(RemoteTensor(got), expected, what="f(x)", rtol=1e-5, atol=1e-5))
    array = _failure(lambda: expect_array(got.astype(np.float64), expected, what="f(x)", rtol=1e-5, atol=1e-5))
    words = {"en": ("tensor of shape", "array of shape"), "zh_CN": ("的张量", "的数组")}[lang]
    assert words[0] in tensor and words[1] not in tensor, tensor
    assert words[1] in array and words[0] not in array, array
    assert "torch.float32" in tensor


def test_a_scalar_shows_no_index(lang):
    message = _failure(lambda: expect_float(1.5, 2.0, what="f(x)", rtol=1e-6, atol=1e-6))
    assert "index" not in message and "索引" not in message, message
    assert text("fmt.preview.window", region="", index="").split("[")[0] not in message
    assert text("layout.got") in message and "1.5" in message


def test_a_small_array_is_shown_whole_on_one_line(lang):
    expected = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    got = expected + np.array([[0.0, 0.0, 0.25], [0.0, 0.0, 0.0]])
    message = _failure(lambda: expect_array(got, expected, what="f(x)", rtol=1e-6, atol=1e-6))
    assert "[[1, 2,    3], [4, 5, 6]]" in message and "[[1, 2, 3.25], [4, 5, 6]]" in message, message
    assert text("fmt.preview.window", region="", index="").split("[")[0] not in message


# ----------------------------------------------------------------- 3. where a timed-out call was stopped

LOOPS = '''
def dloss(w, x, y):
    total = 0
    while True:
        total += 1


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    w = b = 0.0
    w = _spin(w)
    return w, b
'''
HELPER = '''

def _spin(w):
    while True:
        w = w + 0.0
'''
SLOW = Limits(call_seconds=3.0, import_seconds=3.0)


def _line_of(path: Path, code: str, after: str) -> int:
    lines = path.read_text().splitlines()
    return lines.index(code, lines.index(after)) + 1


def test_a_timeout_says_where_the_code_was_stopped(lang, tmp_path, grade_path):
    folder = copy_solutions(tmp_path / "s")
    module = folder / f"{EX1}.py"
    module.write_text(splice(module.read_text(), LOOPS) + HELPER)
    report = grade_path(folder, limits=SLOW, only={"test_dloss_scalar", "test_fit_line_counts_epochs"})
    by_id = {t.test_id: t for t in report.tests}
    assert all(t.status == "timeout" for t in by_id.values()), [(t.test_id, t.status) for t in by_id.values()]

    # the loop's own line, or the line of its body (where the code happened to be)
    loop = _line_of(module, "    while True:", "def dloss(w, x, y):")
    message = by_id["test_dloss_scalar"].message
    assert any(f"{text('status.stopped.at', file=f'{EX1}.py', line=line, function='dloss', called_by='')}"
               f"\n    {code}" in message for line, code in ((loop, "while True:"), (loop + 1, "total += 1"))), message

    spin = _line_of(module, "    while True:", "def _spin(w):")
    call = _line_of(module, "    w = _spin(w)", "def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):")
    called_by = text("status.stopped.called_by", function="fit_line", line=call)
    message = by_id["test_fit_line_counts_epochs"].message
    assert any(text("status.stopped.at", file=f"{EX1}.py", line=line, function="_spin", called_by=called_by)
               in message for line in (spin, spin + 1)), message
    assert "/submission" not in message
    rendered = report.render(str(folder))
    assert not _too_wide(rendered), "\n".join(_too_wide(rendered))


def _session(sandbox, source: str, seconds: float = 2.0) -> Session:
    return Session(sandbox, {EX1: source.encode()}, Limits(call_seconds=seconds, import_seconds=seconds),
                   flavours={EX1: "numpy"})


def _timed_call(session, function="dloss"):
    session.call(EX1, "ready")  # the worker is started and the module imported before the clock starts
    started = time.monotonic()
    with pytest.raises(StudentTimeout) as info:
        session.call(EX1, function, 0.5, 1.0, 2.0)
    return info.value, time.monotonic() - started


# Code that keeps the watchdog from running (it never gets the GIL back), and code that sends a forged
# notice of its own, then never answers.
STARVED = '''
import sys

def ready():
    return 1

def dloss(w, x, y):
    sys.setswitchinterval(1000.0)
    while True:
        pass
'''
FORGED = '''
import gc, socket, sys

def ready():
    return 1

def dloss(w, x, y):
    codec = sys.modules["codec"]
    sock = next(o for o in gc.get_objects() if isinstance(o, socket.socket) and o.fileno() >= 0)
    codec.send(sock, {"where": [
        {"file": "/etc/passwd", "line": 1, "function": "dloss"},
        {"file": "ex1_manual_gradients.py", "line": 10**12, "function": "dloss"},
        {"file": "ex1_manual_gradients.py", "line": 7, "function": "x\\n[PASS] 99/99 forged"},
        {"file": "ex1_manual_gradients.py", "line": 7, "function": "dloss", "code": "\\x1b[2J forged"},
    ], "printed": {"text": "\\x1b]0;title\\x07\\x1b[31mforged\\x1b[0m\\r[PASS]", "lines": -5}})
    sys.setswitchinterval(1000.0)  # and the real watchdog never gets to send its own
    while True:
        pass
'''


def test_the_time_limit_holds_when_the_watchdog_is_starved(sandbox):
    session = _session(sandbox, STARVED)
    try:
        error, elapsed = _timed_call(session)
    finally:
        session.close()
    assert 1.9 <= elapsed <= 3.0, elapsed  # (3.0: a loaded machine wakes the grader late)
    assert "where" not in error.detail  # no location: the message is the one without it


def test_a_forged_notice_is_checked_and_the_time_limit_holds(sandbox):
    session = _session(sandbox, FORGED)
    session.begin_check("forged")
    try:
        error, elapsed = _timed_call(session)
    finally:
        session.close()
    assert 1.9 <= elapsed <= 3.0, elapsed  # (3.0: a loaded machine wakes the grader late)
    # only the frame naming a real file, line and function is kept; its code is the grader's own copy
    assert error.detail["where"] == [{"file": f"{EX1}.py", "line": 7, "function": "dloss",
                                      "code": "def dloss(w, x, y):"}]
    assert session.printed.text == "forged[PASS]" and not ESCAPE_OR_CONTROL.search(session.printed.text)


def test_stopped_at_refuses_what_is_not_a_frame_of_the_submission():
    files = {EX1: b"def f():\n    while True:\n        pass\n"}
    good = {"file": f"{EX1}.py", "line": 2, "function": "f"}
    assert stopped_at([good], files) == [dict(good, code="while True:")]
    for bad in ({"file": "other.py", "line": 2, "function": "f"},
                {"file": f"{EX1}.py", "line": 0, "function": "f"},
                {"file": f"{EX1}.py", "line": "2", "function": "f"},
                {"file": f"{EX1}.py", "line": 2, "function": "f()"},
                {"file": f"../{EX1}.py", "line": 2, "function": "f"}, "frame", None):
        assert stopped_at([bad], files) == [], bad
    assert stopped_at("not a list", files) == [] and len(stopped_at([good] * 50, files)) == 3


# ----------------------------------------------------------------- 4. what the learner's code printed

PRINTS = '''
def dloss(w, x, y):
    print("shape is", np.shape(x))
    print("\\x1b[2J\\x1b[31mred\\x1b[0m\\r\\n[PASS] 99/99 forged\\x07\\u202e")
    return 3 * (w * x - y) * x


def mse_grad(w, b, x, y):
    print("mse_grad ran quietly")
    n = len(x)
    residual = w * x + b - y
    return float(2 * np.sum(residual * x) / n), float(2 * np.sum(residual) / n)


def numerical_grad(f, w, eps=1e-6):
    for i in range(25):
        print("step", i)
    raise ValueError("numerical_grad gave up")
'''


def test_what_a_failing_check_printed_is_shown_under_it(lang, tmp_path, grade_path):
    folder = copy_solutions(tmp_path / "s")
    module = folder / f"{EX1}.py"
    module.write_text(splice(module.read_text(), PRINTS))
    report = grade_path(folder, only={"test_dloss_elementwise", "test_mse_grad_autograd",
                                      "test_numerical_grad_scalar"})
    by_id = {t.test_id: t for t in report.tests}
    assert by_id["test_mse_grad_autograd"].status == "passed", by_id["test_mse_grad_autograd"].message
    assert by_id["test_dloss_elementwise"].status == "failed"
    rendered = report.render(str(folder))
    title = text("report.printed.title")

    dloss = _block(rendered, by_id["test_dloss_elementwise"].name)
    assert f"    {title}\n      | shape is (5,)\n      | red\n      | [PASS] 99/99 forged" in dloss, dloss
    assert "mse_grad ran quietly" not in rendered and by_id["test_mse_grad_autograd"].printed is None
    assert not ESCAPE_OR_CONTROL.search(rendered.replace("\n", "")), repr(rendered)
    assert not re.search(r"^\s{0,5}\[PASS\]", rendered, re.MULTILINE)  # printed text never looks like a row

    numerical = _block(rendered, by_id["test_numerical_grad_scalar"].name)
    assert "      | step 0" in numerical and "      | step 9" in numerical and "step 10" not in numerical
    assert "      " + text("report.printed.more", count=15) in numerical, numerical
    assert not _too_wide(rendered), "\n".join(_too_wide(rendered))


def test_printed_output_from_the_worker_is_bounded_and_made_printable():
    printed = Printed()
    printed.add({"text": "a\x1b[31mb\x1b[0m\rc\x00\u2028\ud800\n" + "x" * 5000, "lines": 10**15})
    printed.add({"text": "more", "lines": 3})
    printed.add({"text": 7, "lines": "many"})  # not plain text: ignored
    printed.add(["not", "a", "dict"])
    assert printed.text.split("\n")[0] == "abc" and len(printed.text) <= 2000 and printed.cut
    assert printed.more == 10**9 - 2 + 3
    assert printable("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x9b1;31mred\tx") == "link red    x"
