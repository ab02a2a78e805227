"""Every exercise's public checks run before any hidden check, so nothing a hidden check's input passed through (the
page cache is the host's) can reach a message the learner sees before the hidden results are published."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from autograder.grading import runner
from autograder.grading.runner import grade
from autograder.sandbox import client

from conftest import COURSE, FAST, MAX, SOLUTIONS, copy_solutions, splice

ATTACKS = Path(__file__).parent / "attacks"
VISIBILITY = {c.test_id: c.visibility for c in COURSE.checks}


def test_public_checks_run_first_and_reports_keep_their_order(sandbox, monkeypatch):
    ran = []
    begin = client.Session.begin_check
    monkeypatch.setattr(client.Session, "begin_check", lambda self, name: (ran.append(name), begin(self, name))[1])
    report = grade(SOLUTIONS, sandbox=sandbox)
    assert report.score == MAX
    visibilities = [VISIBILITY[name] for name in ran]
    assert "hidden" in visibilities
    assert visibilities == sorted(visibilities, key=lambda v: v != "public"), visibilities
    exercises = [t.exercise for t in report.tests]  # reported exercise by exercise, as before
    assert exercises == sorted(exercises, key=list(COURSE.names).index)


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_a_file_waits_stopped_while_other_files_are_checked(sandbox, monkeypatch, tmp_path):
    """Between its public and its hidden checks a file's processes (a daemon too) are stopped, not running."""
    if sandbox.level_now() != "namespaces":
        pytest.skip("only the namespaces level freezes a file's processes (below it they are ended and started again)")
    sub = copy_solutions(tmp_path / "s")
    daemon = ("def _daemon():\n    import os, time\n    if os.fork() == 0:\n        os.setsid()\n"
              "        if os.fork() == 0:\n            while True:\n                time.sleep(0.01)\n"
              "        os._exit(0)\n    os.wait()\n\n\n_daemon()\n")
    (sub / "ex1_manual_gradients.py").write_text((sub / "ex1_manual_gradients.py").read_text() + "\n\n" + daemon)
    seen = []
    retire = client.Session.retire_others

    def watching(self, module, phase="public"):
        retire(self, module, phase)
        for stage in self._frozen:
            processes = _descendants(self._inits[stage].pid)
            seen.append((module, phase, stage, sorted(_state(p) for p in processes)))

    monkeypatch.setattr(client.Session, "retire_others", watching)
    report = grade(sub, sandbox=sandbox)
    assert report.score == MAX
    waiting = [entry for entry in seen if entry[2][0] == "ex1_manual_gradients"]
    assert waiting and all(entry[3] and set(entry[3]) <= {"T", "Z"} for entry in waiting), waiting
    assert any(len(entry[3]) >= 2 for entry in waiting), waiting  # the worker and its daemon


def _page_cache_pair(tmp_path: Path) -> Path:
    """tests/attacks/pagecache_hidden_to_public.py as a submission: ex1 writes every dloss `w` into the page
    cache, ex3's first relu call reads it back and shows it in its message."""
    sys.path.insert(0, str(Path(__file__).parent))
    from attack_kit import COMMON, load_attacks, splice_attack

    attack = next(a for a in load_attacks() if a.name == "pagecache_hidden_to_public")
    config = {"marker": "atkpagecache0", "campaign": "order-test"}
    prelude = f"_ATTACK = {config!r}\n" + COMMON.read_text() + "\n\n"
    sub = copy_solutions(tmp_path / "pair")
    other, source = attack.meta["PAIR"]
    for module, attack_source in ((attack.module, attack.source), (other, source)):
        target = sub / f"{module}.py"
        target.write_text(prelude + splice_attack(target.read_text(), attack_source))
    return sub


def _seen(report) -> str:
    found = re.findall(r"atkpagecache0:SEEN:([^:]*):", "\n".join(t.message for t in report.tests))
    assert len(found) == 1, found
    return found[0]


def test_the_page_cache_carried_a_hidden_input_only_while_checks_ran_file_by_file(sandbox, monkeypatch, tmp_path):
    """The attack works: checked file by file (exercise 1's hidden checks before exercise 3's public ones), the
    hidden `w` came out in a public check's message; public checks first, only a public input can."""
    sys.path.insert(0, str(Path(__file__).parent))
    from attack_kit import hidden_inputs

    hidden = hidden_inputs("ex1_manual_gradients")
    sub = _page_cache_pair(tmp_path)
    public_now = _seen(grade(sub, sandbox=sandbox, limits=FAST))
    order = {name: index for index, name in enumerate(COURSE.names)}
    monkeypatch.setattr(runner, "grading_order", lambda exercise, visibility: (0, order[exercise]))
    runner.collect.cache_clear()
    try:
        file_by_file = _seen(grade(sub, sandbox=sandbox, limits=FAST))
    finally:
        runner.collect.cache_clear()
    if file_by_file == "None":
        pytest.skip("this machine's page cache gives no answer to preadv(RWF_NOWAIT): the channel cannot be shown")
    assert file_by_file in hidden, (file_by_file, sorted(hidden)[:5])
    assert public_now != "None" and public_now not in hidden, public_now
