"""Nothing of a submission outlives it: System V IPC is refused at every level, zero in each submission's IPC
namespace, and at the `uid` level the uid's files in the shared temporary folders and its IPC objects are removed
after each submission (autograder/sandbox/leftovers.py)."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from autograder.grading.runner import grade
from autograder.sandbox import client, leftovers

from conftest import FAST, copy_solutions, splice
from test_sandbox_levels import level_sandbox  # noqa: F401 - the fixture: each level this machine grants

EX1 = "ex1_manual_gradients"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the `uid` level exists only for a grader running as root")


def _dloss_check() -> str:
    from conftest import COURSE

    return next(c.test_id for c in COURSE.exercise(EX1).checks if c.function == "dloss" and c.visibility == "public")


def _graded(tmp_path, sandbox, body: str, helper: str = ""):
    """The reference with ``dloss`` replaced by ``body`` (plus ``helper`` at the end), graded on one dloss check."""
    sub = copy_solutions(tmp_path / f"s-{uuid.uuid4().hex[:6]}")
    source = splice((sub / f"{EX1}.py").read_text(), body)
    (sub / f"{EX1}.py").write_text(source + "\n\n" + helper)
    report = grade(sub, sandbox=sandbox, limits=FAST, only={_dloss_check()})
    (result,) = report.tests
    return result


IPC_PROBE = '''
def _ipc_refused():
    import ctypes
    import errno
    libc = ctypes.CDLL(None, use_errno=True)
    made = {}
    for name, call in (("shmget", lambda: libc.shmget(0, ctypes.c_size_t(1 << 20), 0o1600)),
                       ("msgget", lambda: libc.msgget(0, 0o1600)), ("semget", lambda: libc.semget(0, 1, 0o1600)),
                       ("mq_open", lambda: libc.mq_open(b"/probe", 0o100 | 0o2, 0o600, None))):
        result = call()
        made[name] = "refused" if result == -1 and ctypes.get_errno() == errno.EPERM else f"{result}/{ctypes.get_errno()}"
    return made
'''


def test_system_v_ipc_is_refused_at_every_level(tmp_path, level_sandbox):
    body = ("def dloss(w, x, y):\n    made = _ipc_refused()\n    if set(made.values()) != {'refused'}:\n"
            "        raise RuntimeError(f'IPC allowed: {made}')\n    return 2 * (w * x - y) * x\n")
    result = _graded(tmp_path, level_sandbox, body, IPC_PROBE)
    assert result.status == "passed", result.message


def test_a_submissions_ipc_namespace_has_no_room(tmp_path, monkeypatch):
    """Behind the seccomp filter, the limits of each submission's own IPC namespace are zero."""
    monkeypatch.setenv(client.LEVEL_ENV, "namespaces")
    with client.Sandbox() as sandbox:
        if sandbox.level != "namespaces":
            pytest.skip(f"namespaces refused here: {sandbox.refusal}")
        body = ("def dloss(w, x, y):\n    limits = {p: open(p).read().split() for p in "
                "('/proc/sys/kernel/shmmni', '/proc/sys/kernel/msgmni', '/proc/sys/kernel/sem')}\n"
                "    if any(set(v) != {'0'} for v in limits.values()):\n"
                "        raise RuntimeError(f'IPC limits: {limits}')\n    return 2 * (w * x - y) * x\n")
        result = _graded(tmp_path, sandbox, body)
        assert result.status == "passed", result.message


def _as_uid(uid: int, work) -> int:
    """Run ``work()`` in a child that has become ``uid`` (as the zygote's reap helper does); its exit status."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            work()
            code = 0
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1]


def _make_ipc() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.shmget(0, ctypes.c_size_t(1 << 20), 0o1600) >= 0
    assert libc.msgget(0, 0o1600) >= 0
    assert libc.semget(0, 1, 0o1600) >= 0


@root_only
def test_the_uid_level_leaves_no_file_and_no_ipc_object(tmp_path, monkeypatch):
    """What the submission wrote in /tmp, /var/tmp and /dev/shm (a locked folder too), and IPC objects of its uid
    (made here as that uid: the filter keeps the submission from making any), are gone once it is graded."""
    monkeypatch.setenv(client.LEVEL_ENV, "uid")
    with client.Sandbox() as sandbox:
        if sandbox.level != "uid":
            pytest.skip(f"the uid level is refused here: {sandbox.refusal}")
        uid = client.sandbox_ids()[0]
        assert _as_uid(uid, _make_ipc) == 0
        assert leftovers.ipc_objects(uid)
        marker = f"left-{uuid.uuid4().hex}"
        body = (
            "def dloss(w, x, y):\n    import os\n"
            "    for top in ('/tmp', '/var/tmp', '/dev/shm'):\n"
            f"        if os.path.exists(f'{{top}}/{marker}-file'):\n            continue\n"
            f"        os.makedirs(f'{{top}}/{marker}-dir/deeper', exist_ok=True)\n"
            f"        open(f'{{top}}/{marker}-dir/deeper/file', 'w').write('x')\n"
            f"        open(f'{{top}}/{marker}-file', 'w').write('x')\n"
            f"        os.chmod(f'{{top}}/{marker}-dir', 0)\n"
            "    return 2 * (w * x - y) * x\n")
        result = _graded(tmp_path, sandbox, body)
        assert result.status == "passed", result.message
        left = [str(p) for top in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(top).glob(f"{marker}*")]
        assert not left, left
        assert not leftovers.ipc_objects(uid)


@pytest.fixture
def open_folder():
    """A fresh folder every uid can reach (pytest's own temporary folders are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="leftovers-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@root_only
def test_the_sweep_removes_only_what_the_uid_owns(open_folder):
    """Its own files and folders (locked ones too) go, at the top and inside world-writable folders; a link is
    removed, never followed; another uid's file and the folders the grader keeps stay."""
    tmp_path = open_folder
    uid = 1_500_000_000 + (os.getpid() + 7) % 1_000_000
    shared = tmp_path / "tmp"
    shared.mkdir(mode=0o1777)
    shared.chmod(0o1777)
    others = shared / "public"
    others.mkdir()
    others.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("root's")
    root_file = others / "root-owned"
    root_file.write_text("root's")
    kept = shared / "staged"

    def plant():
        (shared / "mine").mkdir()
        (shared / "mine" / "deep").mkdir()
        (shared / "mine" / "deep" / "f").write_text("x")
        os.chmod(shared / "mine", 0)
        (shared / "file").write_text("x")
        (others / "inner").write_text("x")
        (shared / "link").symlink_to(victim)
        kept.mkdir()
        (kept / "exercise.py").write_text("x")

    assert _as_uid(uid, plant) == 0
    assert _as_uid(uid, lambda: leftovers.remove_files(uid, folders=(str(shared),), keep=(str(kept),))) == 0
    assert sorted(p.name for p in shared.iterdir()) == ["public", "staged"]
    assert sorted(p.name for p in others.iterdir()) == ["root-owned"]
    assert victim.read_text() == "root's" and (kept / "exercise.py").exists()


def test_the_filter_lists_the_ipc_calls_of_this_machine():
    from autograder.sandbox import jail

    machine = os.uname().machine
    if machine not in jail._IPC_SYSCALLS:
        pytest.skip(f"no seccomp filter for {machine}")
    numbers = jail.denied_syscalls()
    assert len(numbers) == len(set(numbers)) == 3 + 18
    program = jail._filter_program(0xC000003E, numbers)
    # every jump lands on the deny at the end; everything else falls through to the allow before it
    for index, (code, jt, jf, k) in enumerate(program):
        if code == 0x15 and index >= 5:
            assert index + 1 + jt == len(program) - 1 and jf == 0

