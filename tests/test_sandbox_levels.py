"""Every sandbox level grades a correct submission fully, reports itself, and leaves nothing running."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from autograder.grading.runner import grade
from autograder.sandbox import client, processes

from conftest import FAST, MAX, ROOT, SOLUTIONS, copy_solutions, splice

EX1 = "ex1_manual_gradients"
LEVELS = ["namespaces", "uid", "none"] if os.geteuid() == 0 else ["namespaces", "none"]


def running_with(marker: str) -> list[str]:
    """Command lines of live processes that hold ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                line = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in line:
            found.append(f"{pid}: {line}")
    return found


@pytest.fixture(params=LEVELS)
def level_sandbox(request, monkeypatch):
    monkeypatch.setenv(client.LEVEL_ENV, request.param)
    with client.Sandbox() as sandbox:
        if sandbox.level != request.param:
            pytest.skip(f"this machine refuses the {request.param} level ({sandbox.refusal})")
        yield sandbox


def test_level_grades_fully_and_kills_daemons(tmp_path, level_sandbox):
    marker = f"daemon-{uuid.uuid4().hex}"
    sub = copy_solutions(tmp_path / "s")
    # a double-forked daemon that outlives the function call; it renames itself with the marker
    daemon = (
        "def _daemon():\n"
        "    import os, subprocess, sys\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            os.execv('/bin/sleep', ['/bin/sleep', '60', {marker!r}])\n"
        "        os._exit(0)\n"
    )
    source = (sub / f"{EX1}.py").read_text()
    source = splice(source, "def dloss(w, x, y):\n    _daemon()\n    return 2 * (w * x - y) * x\n") + "\n\n" + daemon
    (sub / f"{EX1}.py").write_text(source)
    report = grade(sub, sandbox=level_sandbox, limits=FAST)
    assert report.isolation == level_sandbox.level
    failing = [(t.name, t.message) for t in report.tests if t.status != "passed"]
    assert report.score == MAX, failing
    deadline = time.monotonic() + 5
    while running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running_with(marker), running_with(marker)


def test_namespaces_hide_the_host(tmp_path, monkeypatch):
    """At the namespaces level the submission sees no host file, no network and its own /tmp."""
    monkeypatch.setenv(client.LEVEL_ENV, "namespaces")
    with client.Sandbox() as sandbox:
        if sandbox.level != "namespaces":
            pytest.skip(f"namespaces refused here: {sandbox.refusal}")
        left_behind = f"left-{uuid.uuid4().hex}"
        sub = copy_solutions(tmp_path / "s")
        probe = (
            "def _seen():\n"
            "    import os, socket\n"
            "    seen = []\n"
            f"    for path in ({str(tmp_path)!r}, '/etc/passwd', '/etc/shadow', {str(SOLUTIONS)!r}, {str(processes.ZYGOTE)!r}):\n"
            "        if os.path.exists(path):\n"
            "            seen.append(path)\n"
            "    try:\n"
            "        socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
            "        seen.append('network')\n"
            "    except OSError:\n"
            "        pass\n"
            f"    open('/tmp/{left_behind}', 'w').write('x')\n"
            "    if len([p for p in os.listdir('/proc') if p.isdigit()]) > 10:\n"
            "        seen.append('host processes')\n"
            "    return seen\n"
        )
        source = splice((sub / f"{EX1}.py").read_text(),
                        "def dloss(w, x, y):\n    if _seen():\n        return 0 * x\n    return 2 * (w * x - y) * x\n")
        (sub / f"{EX1}.py").write_text(source + "\n\n" + probe)
        report = grade(sub, sandbox=sandbox, limits=FAST)
        assert report.score == MAX, [(t.name, t.message) for t in report.tests if t.status != "passed"]
        assert not os.path.exists(f"/tmp/{left_behind}")


needs_root_and_unshare = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                                            reason="changes the mounts of a private mount namespace (root)")


def grade_in_changed_mounts(shell_setup: str) -> subprocess.CompletedProcess:
    """`python -m autograder grade solutions` after ``shell_setup`` changed the mounts (privately)."""
    command = f"{shell_setup} && exec {sys.executable} -m autograder grade {SOLUTIONS}"
    return subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


@needs_root_and_unshare
def test_namespaces_where_sys_is_noexec():
    """systemd and Docker mount /sys noexec: the kernel locks that flag, and the read-only remount keeps it."""
    run = grade_in_changed_mounts("mount --make-rprivate / && mount -o remount,nosuid,nodev,noexec /sys")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"TOTAL: {MAX:g} / {MAX:g}" in run.stdout and "Sandbox: namespaces" in run.stdout, run.stdout[-600:]


@needs_root_and_unshare
def test_a_covered_proc_falls_back_instead_of_failing_every_submission():
    """Containers cover parts of /proc, and then no new /proc can be mounted: fall back at start, say so."""
    run = grade_in_changed_mounts("mount --make-rprivate / && mount --bind /dev/null /proc/timer_list")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"TOTAL: {MAX:g} / {MAX:g}" in run.stdout and "Sandbox: uid" in run.stdout, run.stdout[-600:]
