"""`make watch`: a saved file is graded again, the report says what changed, and Ctrl-C leaves nothing running.

Its speed (a regrade after saving one file) is measured by `make bench`, not here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from autograder.messages import text

from conftest import COURSE, ROOT, SOLUTIONS

EX1 = "ex1_manual_gradients"


def _descendants(root: int) -> set[int]:
    """The processes below ``root`` (the watch loop's sandbox and its workers), from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _as_in_a_terminal():
    """Ctrl-C reaches a learner's foreground `make watch`; a test run started in the background ignores SIGINT,
    and every process it starts would inherit that (Python then never raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Output:
    """Everything the process prints, collected by a thread; ``until`` waits for a marker after ``since``."""

    def __init__(self, process):
        self.text = ""
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        for line in iter(stream.readline, ""):
            with self.lock:
                self.text += line

    def until(self, marker: str, since: int, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                new = self.text[since:]
            if marker in new:
                return new
            time.sleep(0.05)
        raise AssertionError(f"no {marker!r} within {seconds} s; got:\n{self.text[since:][-3000:]}")


def test_watch_regrades_a_saved_file_and_stops_cleanly(tmp_path):
    """In the unpacked student release, as a learner runs it (`make watch` runs `python -m autograder watch`)."""
    from autograder.build.bundles import build_release

    build_release(tmp_path / "dist")
    release = tmp_path / "dist" / "student"
    folder = release / "exercises"
    makefile = (release / "Makefile").read_text()
    assert "\nwatch:" in makefile and "autograder watch" in makefile and "\nreport:" in makefile
    env = {**os.environ, "AUTOGRADER_LANG": "en"}
    process = subprocess.Popen([sys.executable, "-m", "autograder", "watch", "exercises"], cwd=release,
                               preexec_fn=_as_in_a_terminal,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        waiting = text("watch.waiting", folder="exercises")
        output = Output(process)
        first = output.until(waiting, 0, 120)
        assert "TOTAL: 0 /" in first
        assert _descendants(process.pid), "the watch loop's sandbox should be running below it"
        time.sleep(0.5)  # a save within the same poll as the first report is still seen (content digest)
        shutil.copyfile(SOLUTIONS / f"{EX1}.py", folder / f"{EX1}.py")
        second = output.until(waiting, len(output.text), 60)
        assert text("watch.since_last") in second
        titles = [c.title for c in COURSE.exercise(EX1).checks if c.visibility == "public"]
        for title in titles:
            assert text("watch.now_passing", title=title) in second, title
        points = sum(c.points for c in COURSE.exercise(EX1).checks if c.visibility == "public")
        assert f"TOTAL: {points:g} /" in second
        # a change that breaks one function: only its checks change, and the report says so
        source = (folder / f"{EX1}.py").read_text()
        (folder / f"{EX1}.py").write_text(source.replace("def dloss(w, x, y):", "def dloss(w, x, y):\n    return 0 * x\n", 1))
        third = output.until(waiting, len(output.text), 60)
        failing = [c.title for c in COURSE.exercise(EX1).checks if c.function == "dloss" and c.visibility == "public"]
        assert all(text("watch.now_failing", title=title) in third for title in failing), third[-2000:]
        below = _descendants(process.pid)  # its sandbox and the workers of the last regrade
        assert below
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    output.thread.join(timeout=10)
    assert text("watch.stopped") in output.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(below):
        time.sleep(0.2)
    assert not _alive(below), f"processes left running after Ctrl-C: {_alive(below)}"
