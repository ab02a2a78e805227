"""scripts/report_snapshot.py, the proof that a change moved no score or message: on a handful of fixtures here
(the full run, every fixture in both languages, is the script's job: ``python scripts/report_snapshot.py``)."""

import copy
import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import MAX, ROOT

HANDFUL = {"solutions", "ex1_dloss_sign", "ex1_other_formulas"}


def load_script():
    spec = importlib.util.spec_from_file_location("report_snapshot", ROOT / "scripts" / "report_snapshot.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("report_snapshot", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def taken(sandbox):
    script = load_script()
    return script, script.snapshot(HANDFUL, sandbox=sandbox)


def test_snapshot_grades_each_fixture_in_both_languages(taken):
    script, snap = taken
    assert set(snap) == {"solutions", "buggy/ex1_dloss_sign", "correct/ex1_other_formulas"}
    for name, by_language in snap.items():
        assert set(by_language) == set(script.LANGUAGES), name
    assert snap["solutions"]["en"]["score"] == MAX
    assert snap["solutions"]["zh_CN"]["score"] == MAX
    sign = snap["buggy/ex1_dloss_sign"]
    assert sign["en"]["score"] < sign["en"]["max_score"], "the buggy fixture lost no point"
    failed = [c for c in sign["en"]["checks"].values() if c["status"] != "passed"]
    assert failed and all(c["message"] for c in failed)
    # the same checks, in another language: the messages differ, the scores do not
    assert {k: c["score"] for k, c in sign["en"]["checks"].items()} == \
        {k: c["score"] for k, c in sign["zh_CN"]["checks"].items()}
    assert sign["en"]["rendered"] != sign["zh_CN"]["rendered"]


def test_compare_names_what_differs(taken):
    script, snap = taken
    assert script.differences(snap, copy.deepcopy(snap)) == []
    changed = copy.deepcopy(snap)
    check = next(iter(changed["buggy/ex1_dloss_sign"]["zh_CN"]["checks"]))
    changed["buggy/ex1_dloss_sign"]["zh_CN"]["checks"][check]["message"] += "!"
    del changed["solutions"]
    found = script.differences(snap, changed)
    assert f"buggy/ex1_dloss_sign [zh_CN] {check}: message differs" in found
    assert "solutions: only in the old snapshot" in found
