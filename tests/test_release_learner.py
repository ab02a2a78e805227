"""The student release as a learner has it: the learner's modules only, and `make grade`, `make report`,
`make watch` and `make submission` working in it.

The release is built, unpacked into a temporary folder and run there with a Python that has the
libraries (torch, NumPy, pytest, matplotlib) but not the kit: the kit's own environment has the kit
installed in editable mode, whose import hook would quietly supply any module the release lacks. The
stand-in is a venv whose site-packages names the kit's as a plain path (so the editable hook is never
installed) and records, through an audit hook, every file of the release that any of its processes
reads: the grading process, and the sandbox's (started with ``python -I``, which still reads the venv's
``.pth`` files).

Which modules a release leaves out is decided in one place, ``bundles.RELEASE_EXCLUDES``; this test
holds it to the rule that every module shipped is read by one of the learner's commands, so a new
instructor-only module (or one taken off that set) fails here, and a learner's command that needs an
excluded module fails here too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import threading
import time
import zipfile
from pathlib import Path

import pytest

from autograder.course import registry
from autograder.build.bundles import RELEASE_LANGUAGES, release_name
from autograder.messages import text

from conftest import ROOT, SOLUTIONS

EXERCISES = registry.names()

RECORDER = '''"""Test stand-in for a learner's venv: log every file under {root!r} that this process reads."""
import os
import sys

_ROOT, _SEEN = {root!r}, set()
try:
    _LOG = os.open({log!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
except OSError:  # the sandbox's own user may not open it: its reads are recorded before it drops privileges
    _LOG = None


def _record(event, args):
    if event not in ("open", "cpython.run_file") or not args or _LOG is None:
        return
    path = args[0]
    if isinstance(path, bytes):
        path = path.decode(errors="replace")
    if not isinstance(path, str):
        return
    path = os.path.abspath(path)
    if path.startswith(_ROOT) and path not in _SEEN:
        _SEEN.add(path)
        try:
            os.write(_LOG, (path + "\\n").encode())
        except OSError:  # inside the sandbox's namespaces, after the file descriptors were closed
            pass


sys.addaudithook(_record)
'''


def _learner_venv(folder: Path, release: Path, log: Path) -> Path:
    """A venv with the kit's libraries but not the kit, recording what it reads of ``release``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    kit_site = sysconfig.get_paths()["purelib"]  # torch, numpy, pytest, matplotlib: never the kit itself
    (site / "_release_reads.py").write_text(RECORDER.format(root=str(release / "autograder") + os.sep, log=str(log)))
    (site / "learner.pth").write_text(f"{kit_site}\nimport _release_reads\n")
    for stamp in (".installed", ".report-installed"):  # installed already: this test is about the release
        (folder / stamp).touch()
    return folder


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    """(the unpacked English release, its learner's venv, the log of the files read, every release's files)."""
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "autograder", "build", "release", "--dist", str(dist)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    unpacked = tmp_path_factory.mktemp("unpacked")
    shipped = {}
    for lang in RELEASE_LANGUAGES:
        with zipfile.ZipFile(dist / f"{release_name(lang)}.zip") as zf:
            zf.extractall(unpacked)
        root = unpacked / release_name(lang)
        shipped[lang] = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    release = unpacked / release_name("en")
    log = tmp_path_factory.mktemp("log") / "read.txt"
    log.touch()
    log.chmod(0o666)
    venv = _learner_venv(tmp_path_factory.mktemp("learner") / "venv", release, log)
    return release, venv, log, shipped


def _make(learner, *targets, **kwargs):
    release, venv, _, _ = learner
    env = {**os.environ, "AUTOGRADER_LANG": "en"}
    return subprocess.run(["make", "--no-print-directory", *targets, f"VENV={venv}"], cwd=release, env=env,
                          capture_output=True, text=True, timeout=600, **kwargs)


def test_make_grade_report_and_submission_as_a_learner(learner):
    release = learner[0]
    run = _make(learner, "grade")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "TOTAL: 0 /" in run.stdout and "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
    run = _make(learner, "report", f"SUBMISSION={SOLUTIONS}")
    assert run.returncode == 0, run.stdout + run.stderr
    page = (release / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page or "data:image/png;base64," in page, "make report wrote no picture"
    run = _make(learner, "submission")
    assert run.returncode == 0, run.stdout + run.stderr
    with zipfile.ZipFile(release / "submission.zip") as zf:
        assert sorted(zf.namelist()) == sorted(f"{name}.py" for name in EXERCISES)
    python = learner[1] / "bin" / "python"
    run = subprocess.run([str(python), "-m", "autograder", "batch", "exercises"], cwd=release, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2 and "invalid choice: 'batch'" in run.stderr, run.stderr  # not offered, no traceback
    assert "batch" not in subprocess.run([str(python), "-m", "autograder", "--help"], cwd=release,
                                         capture_output=True, text=True, timeout=60).stdout


def test_make_watch_as_a_learner(learner):
    release, venv = learner[0], learner[1]

    def as_in_a_terminal():  # Ctrl-C reaches the learner's foreground make and what it started
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setsid()

    process = subprocess.Popen(["make", "--no-print-directory", "watch", f"VENV={venv}"], cwd=release,
                               env={**os.environ, "AUTOGRADER_LANG": "en"}, preexec_fn=as_in_a_terminal,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen, lock = [], threading.Lock()

    def pump():
        for line in iter(process.stdout.readline, ""):
            with lock:
                seen.append(line)

    threading.Thread(target=pump, daemon=True).start()
    waiting = text("watch.waiting", folder="exercises")
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and waiting not in "".join(seen) and process.poll() is None:
            time.sleep(0.1)
        output = "".join(seen)
        assert waiting in output and "TOTAL: 0 /" in output, output[-3000:]
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    time.sleep(0.2)
    assert text("watch.stopped") in "".join(seen), "".join(seen)[-3000:]


OTHER_PLATFORMS = {"autograder/sandbox/spawned_worker.py", "autograder/sandbox/winjob.py"}


def test_every_module_a_release_ships_is_read_by_a_learners_command(learner):
    """Runs after the tests above (same file, in order): what they read is in the log."""
    release, _, log, shipped = learner
    modules = {lang: {name for name in names if name.startswith("autograder/") and name.endswith(".py")}
               for lang, names in shipped.items()}
    assert all(found == modules["en"] for found in modules.values()), "the releases differ in their modules"
    modules = modules["en"]
    read = {Path(line).resolve().relative_to(release).as_posix() for line in log.read_text().splitlines() if line}
    assert read & modules, "nothing recorded: the stand-in venv's recorder did not run"
    # what only a learner on another platform reads (the spawned worker where fork or /proc is missing, and
    # Windows' Job Objects): tests/test_other_platforms.py and tests/test_emulated_platforms.py run those
    unread = sorted(modules - read - OTHER_PLATFORMS)
    assert not unread, (f"the student release ships modules that none of the learner's commands (grade, report, "
                        f"watch) reads: {unread}; if they are the instructor's, add them to "
                        "bundles.RELEASE_EXCLUDES")
