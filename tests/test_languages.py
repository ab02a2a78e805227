"""Every learner-facing text exists in English and Simplified Chinese; the language follows --lang or the locale."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys

import pytest

from autograder import messages
from autograder.messages import _load, text

from conftest import COURSE, ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> list[str]:
    return sorted(name for _, name, spec, _ in string.Formatter().parse(template) if name is not None)


def test_every_english_text_has_a_chinese_one_with_the_same_fields():
    from babel import Locale

    english, chinese = _load("en"), _load("zh_CN")
    # a plural form Chinese does not have (CLDR: only "other") is not missing; "other" always exists
    forms = Locale.parse("zh_CN").plural_form.tags | {"other"}
    plural = {key for key in english if key.rsplit(".", 1)[-1] in ("zero", "one", "two", "few", "many", "other")
              and key.rsplit(".", 1)[0] + ".other" in english}
    english = {key: value for key, value in english.items() if key not in plural or key.rsplit(".", 1)[-1] in forms}
    missing = sorted(set(english) - set(chinese))
    assert not missing, f"{len(missing)} texts have no Chinese entry: {missing[:20]}"
    for key, template in english.items():
        assert _fields(chinese[key]) == _fields(template), f"{key}: the Chinese text changes the placeholders"
        prose = re.sub(r"`[^`]*`|\S*[_(=]\S*|\{[^}]*\}", " ", template)  # without code, calls and fields
        if re.search(r"[A-Za-z]{4}", prose) and ".demo." not in key and not key.startswith("report.label_"):
            assert HAN.search(chinese[key]), f"{key}: the Chinese text is still English"


def test_every_check_has_a_chinese_title():
    chinese = _load("zh_CN")
    for item in COURSE.checks:
        key = f"{item.exercise.split('_')[0]}.title.{item.test_id}"
        assert key in chinese and HAN.search(chinese[key]), f"{item.test_id}: no Chinese title ({key})"
        for function in re.findall(r"\w+", item.title.split(":")[0].replace(" and ", " ")):
            assert function in chinese[key], f"{key}: the title should still name `{function}`"


@pytest.mark.parametrize("environment, expected", [
    ({"AUTOGRADER_LANG": "zh_CN"}, "zh_CN"),
    ({"AUTOGRADER_LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"AUTOGRADER_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_language_follows_the_flag_then_the_locale(monkeypatch, environment, expected):
    for variable in ("AUTOGRADER_LANG", *messages.LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert messages.language() == expected


def test_chinese_texts_put_no_space_between_two_chinese_characters(monkeypatch):
    """A field filled with Chinese loses the template's space beside Chinese text; Latin text keeps it."""
    monkeypatch.setenv("AUTOGRADER_LANG", "zh_CN")
    assert text("expect.type_float", what="dloss", got="形状为 (1,) 的 NumPy 数组").endswith("但返回了形状为 (1,) 的 NumPy 数组。")
    assert text("expect.type_float", what="dloss", got="list").endswith("但返回了 list。")
    monkeypatch.setenv("AUTOGRADER_LANG", "en")
    assert text("expect.type_float", what="dloss", got="形状").endswith("but returned 形状.")  # English: as written


def test_an_unknown_language_is_a_warning_not_a_silence(capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LANG", "fr_FR")
    messages._WARNED.clear()
    assert messages.language() == "en"
    assert "no texts in the language 'fr_FR'" in capsys.readouterr().err


@pytest.mark.parametrize("how", ["flag", "locale"])
def test_make_grade_prints_a_chinese_report(how):
    """The stubs' report in Chinese: every catalogue text of the English report is gone."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_LANG", *messages.LOCALE_VARIABLES)}
    args = [sys.executable, "-m", "autograder", "grade", str(ROOT / "exercises")]
    if how == "flag":
        args += ["--lang", "zh_CN"]
    else:
        env["LANG"] = "zh_CN.UTF-8"
    run = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    english = _load("en")
    for key in ("report.title", "report.total", "isolation.namespaces"):
        fixed = re.split(r"\{[^}]*\}", english[key])
        assert not any(len(part.strip()) > 6 and part.strip() in run.stdout for part in fixed), (key, run.stdout[-800:])
    for item in COURSE.checks:
        assert item.title not in run.stdout, f"English title left: {item.title}"
    assert HAN.search(run.stdout)
