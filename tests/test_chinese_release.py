"""The Chinese student release holds no English outside code, and its check titles agree with its docstrings.

What counts as English prose, and as code, is tests/zh_prose.py's rule (code spans, identifiers, formulas,
shapes, numbers, the names of the libraries and tools are code; ``MEAN``, ``float64 ndarray``, ``w with w[i] +
eps`` are English). It is applied to what a learner of the Chinese release reads:

* the exercise files: docstrings, comments and the text each hole raises;
* the README, the commands' help (Makefile, grade.py);
* every Chinese catalogue text the release ships (the notebooks' demonstration code aside: it is code);
* the report of every fixture of tests/buggy/ graded in Chinese, as the release grades (public checks only), and
  of the stubs: titles, messages, and the report's own lines; what a report quotes of the learner (their code,
  the message of an exception their code raised, what it printed) is theirs, not the kit's.

The same texts use full-width punctuation: a half-width ``,;:?!`` touching a Chinese character, or half-width
parentheses around Chinese words, is wrong (zh_prose.half_width_punctuation).

Every check title names only dtypes and shapes that the docstring of the function it grades names, in English
(the solutions' docstrings) and in Chinese (the translated ones).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from autograder.course import registry
from autograder.messages import _flatten
from autograder.course.docstrings import docstring_nodes, load_docstrings

from conftest import BUGGY, COURSE, ROOT, SOLUTIONS, build_buggy
from zh_prose import english_prose, english_words, half_width_punctuation, kit_text

EXERCISES = registry.names()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    from autograder.build.bundles import build_release, release_name

    dist = tmp_path_factory.mktemp("dist")
    build_release(dist, "zh_CN")
    return dist / release_name("zh_CN")


def _problems(texts: dict[str, str], docstring: bool = False) -> list[str]:
    found = []
    for where, text in texts.items():
        prose = english_prose(text, docstring)
        if prose:
            found.append(f"{where}: English: {prose}")
        found += [f"{where}: half-width punctuation: {piece}" for piece in half_width_punctuation(text, docstring)]
    return found


# ----------------------------------------------------------------- the rule itself


def test_what_counts_as_english():
    assert english_words("损失是平均值（MEAN，不是求和）") == ["MEAN"]
    assert english_words("形状为 (n,) 的 float64 ndarray。") == ["ndarray"]
    assert english_words("（``w with w[i] + eps`` 指加上 eps 的 w）") == ["with"]  # pseudo-code is prose
    assert english_words("允许范围：|got - expected| <= {atol:g}") == ["got", "expected"]
    assert english_words("先把它 reshape 成 ``y_hat`` 的形状") == ["reshape"]
    assert english_words("data_iter(10, features, labels) with n = 53") == ["with"]
    code = ("用 `np.mean` 求平均值，`for epoch in range(epochs)`，调用 backward()；y = Xw + b；"
            "`python3 grade.py --lang en`；NumPy、PyTorch、DataLoader；W1 的形状为 (d, h)；{what}：{abs_err:.3g}")
    assert english_words(code) == []
    assert english_words("grad[i] = (f(w + eps) - f(w - eps)) / (2 * eps)::\n\n    L = mean(x)  对 n 取平均（MEAN）",
                         docstring=True) == ["MEAN"]


def test_what_counts_as_half_width_punctuation():
    assert half_width_punctuation("可能的原因: 符号错误") and half_width_punctuation("值不对,偏差为 1")
    assert half_width_punctuation("(形状为 (3,) 的数组)")
    assert not half_width_punctuation("形状为 (n, 1) 或 (n,)，N(0, 1)；`x[:, 0]`，返回：")
    assert not half_width_punctuation("参数：\n    w: float。权重。\n\n标签是::\n\n    y = X @ w", docstring=True)


# ----------------------------------------------------------------- the files of the release


def test_the_exercise_files_hold_no_english(release):
    texts = {}
    for path in sorted((release / "exercises").glob("ex*.py")):
        source = path.read_text(encoding="utf-8")
        for key, node in docstring_nodes(ast.parse(source)).items():
            texts[f"{path.name} ({key})"] = node.value.value
        for number, line in enumerate(source.splitlines(), start=1):
            if line.strip().startswith("#"):
                texts[f"{path.name}:{number}"] = line.strip().lstrip("#")
            raised = re.search(r'raise NotImplementedError\("(.*)"\)', line)
            if raised:
                texts[f"{path.name}:{number}"] = raised.group(1)
    assert any("NotImplementedError" in key or ":" in key for key in texts)
    docstrings = {where: text for where, text in texts.items() if "(" in where}
    lines = {where: text for where, text in texts.items() if "(" not in where}
    found = _problems(docstrings, docstring=True) + _problems(lines)
    assert not found, "\n".join(found)


def _help(lines: list[str]) -> list[str]:
    """The explanations of a help text, without the command each line starts with (a command is code)."""
    return [re.split(r"\s{2,}", line.strip(), maxsplit=1)[-1] for line in lines if line.strip()]


def test_the_readme_and_the_commands_hold_no_english(release):
    texts = {"README.md": (release / "README.md").read_text(encoding="utf-8")}
    makefile = (release / "Makefile").read_text(encoding="utf-8")
    echoed = [match.group(1) for match in re.finditer(r'@echo "([^"]*)"', makefile)]
    texts.update({f"Makefile: {line}": line for line in _help(echoed)})
    grade_py = ast.get_docstring(ast.parse((release / "grade.py").read_text(encoding="utf-8")))
    texts.update({f"grade.py: {line}": line for line in _help(grade_py.splitlines())})
    found = _problems(texts)
    assert not found, "\n".join(found)


def test_every_chinese_catalogue_text_holds_no_english(release):
    messages = release / "autograder" / "messages"
    paths = [messages / "zh_CN.toml", *sorted((messages / "zh_CN").glob("*.toml"))]
    texts = {}
    for path in paths:
        for key, value in _flatten(tomllib.loads(path.read_text(encoding="utf-8"))).items():
            if ".demo." not in key:  # a notebook's demonstration: Python code
                texts[key] = value
    assert len(texts) > 300
    found = _problems(texts)
    assert not found, "\n".join(found)


# ----------------------------------------------------------------- the reports


def _report_texts(report, name: str) -> dict[str, str]:
    """What the kit wrote in a report: each check's title and message (without what it quotes), and the report's
    own lines (rendered without the messages)."""
    from dataclasses import replace

    from autograder.grading.results import Report

    texts = {}
    for t in report.tests:
        texts[f"{name}: title of {t.test_id}"] = t.name
        if t.message:
            texts[f"{name}: {t.test_id}"] = kit_text(t.message)
    bare = Report(tests=[replace(t, message="", printed=None) for t in report.tests], notes=report.notes,
                  hidden_not_run=report.hidden_not_run, isolation=report.isolation)
    texts[f"{name}: the report"] = "\n".join(bare.render("exercises").splitlines()[1:])
    return texts


BUGS = sorted(BUGGY.glob("*.py"))


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LANG", "zh_CN")


def test_the_reports_of_every_fixture_hold_no_english(chinese, grade_path, tmp_path):
    """Every fixture of tests/buggy/, graded in Chinese with the public checks of its exercise (what a learner of
    the release runs), and the stubs: nothing of the kit's own text is English, all its punctuation full-width."""
    found, messages = [], 0
    stubs = grade_path(ROOT / "exercises", include_hidden=False)
    for name, report in [("stubs", stubs)] + [
            (bug.stem, grade_path(tmp_path / bug.stem, include_hidden=False,
                                  only={c.test_id for c in COURSE.exercise(build_buggy(bug, tmp_path / bug.stem)
                                                                           ["MODULE"]).checks}))
            for bug in BUGS]:
        texts = _report_texts(report, name)
        messages += sum(1 for key in texts if "title of" not in key)
        found += _problems(texts)
    assert messages > len(BUGS), "the fixtures' reports hold no message to read"
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:60])


# ----------------------------------------------------------------- the check titles


DIM = r"(?:\d+|[a-z]|n_[a-z]+)"
SHAPE = re.compile(rf"\((?:{DIM}, ?){{1,2}}{DIM}?\)")
DTYPE = re.compile(r"\b(?:float|int)(?:16|32|64)\b")


def _docstrings(exercise: str, lang: str) -> dict[str, str]:
    if lang == "en":
        tree = ast.parse((SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8"))
        return {key: node.value.value for key, node in docstring_nodes(tree).items()}
    return load_docstrings(lang, exercise)


def _title(check, lang: str) -> str:
    from autograder import messages

    key = f"{check.exercise.split('_', 1)[0]}.title.{check.test_id}"
    return messages._load(lang).get(key) or check.title


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_check_title_agrees_with_its_docstring(lang):
    """A dtype (float32, ...) or a shape with a named dimension ((n, 1), (d,)) in a check's title is one the
    docstring of the function it grades (or of its class and methods) names too."""
    found, named = [], 0
    for check in registry.course(include_hidden=True).checks:
        documented = _docstrings(check.exercise, lang)
        doc = " ".join(text for key, text in documented.items()
                       if key == check.function or key.startswith(check.function + "."))
        assert doc, f"{check.test_id}: no docstring for {check.function}"
        title = _title(check, lang)
        said = [shape for shape in SHAPE.findall(title) if re.search(r"[a-z]", shape)] + DTYPE.findall(title)
        named += len(said)
        squeezed = doc.replace(" ", "")
        found += [f"{check.test_id}: the title says {what!r}, the docstring of {check.function} does not: {title}"
                  for what in said if what.replace(" ", "") not in squeezed]
    assert named > 5, "the titles name dtypes and shapes: the rule should see them"
    assert not found, "\n".join(found)


# ----------------------------------------------------------------- texts the checks raise in the sandbox


def test_a_trusted_helper_raises_catalogue_texts(chinese, grade_path, tmp_path):
    """numerical_grad's f for a float w refuses anything but a float: its TypeError is told in the report's
    language (the helper raises a catalogue key, explain.catalogued words it); a learner's own message that
    only looks like one is shown as it is."""
    from autograder.grading.explain import catalogued
    from autograder.messages import text

    assert catalogued("ex1.sandbox.f_takes_float type=ndarray") == text("ex1.sandbox.f_takes_float", type="ndarray")
    assert "ndarray" in catalogued("ex1.sandbox.f_takes_float type=ndarray")
    for theirs in ("ex1.sandbox.f_takes_float", "ex1.sandbox.no_such_text type=x", "see ex1.sandbox.f_takes_float"):
        assert catalogued(theirs) == theirs
    source = (SOLUTIONS / "ex1_manual_gradients.py").read_text(encoding="utf-8")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ex1_manual_gradients.py").write_text(
        source.replace("f_plus = f(float(point) if scalar else point.copy())", "f_plus = f(point.copy())"),
        encoding="utf-8")
    report = grade_path(folder, only={"test_numerical_grad_scalar"})
    (check,) = report.tests
    assert check.score == 0 and text("ex1.sandbox.f_takes_float", type="ndarray") in check.message, check.message



def test_the_learner_commands_help_holds_no_english(monkeypatch):
    """``python grade.py grade --help`` (and report, submission, watch) in Chinese: the commands' own texts and
    argparse's words (usage, options, its errors) from the catalogue; options and paths are code."""
    import argparse

    from autograder.channels import cli_args

    monkeypatch.setenv("AUTOGRADER_LANG", "zh_CN")
    parser = cli_args.parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    texts = {"description": parser.description}
    for name in ("grade", "report", "submission", "watch"):
        lines = commands[name].format_help().splitlines()
        usage = lines.index("")  # the usage block: the command line, code
        texts.update({f"{name} --help: {line}": line for line in lines[usage:] if line.strip()})
        texts[f"{name}: the usage's prefix"] = lines[0].split("python", 1)[0]
    found = _problems(texts)
    assert not found, "\n".join(found)
    with pytest.raises(SystemExit):
        parser.parse_args(["grade", "--timeout", "x"])
