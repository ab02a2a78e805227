"""The zygote moves its memory onto huge pages once its imports are done (autograder/sandbox/hugepages.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from autograder.sandbox import client
from autograder.sandbox.hugepages import HUGE_PAGE, spans

from conftest import ROOT, SOLUTIONS

MAPS = """\
55d0c0000000-55d0c0600000 rw-p 00000000 00:00 0                          [heap]
7f0000100000-7f0000900000 rw-p 00000000 00:00 0
7f0000a00000-7f0000b00000 rw-p 00000000 00:00 0
7f0001000000-7f0001400000 r--p 00000000 00:00 0
7f0002000000-7f0002400000 rw-p 00001000 fd:01 1234                       /usr/lib/libfoo.so
7f0003000000-7f0003400000 rw-s 00000000 00:01 99                         /dev/zero (deleted)
7ffc00000000-7ffc00400000 rw-p 00000000 00:00 0                          [stack]
"""


def test_spans_are_the_aligned_huge_pages_of_private_anonymous_writable_memory():
    assert spans(MAPS) == [
        (0x55D0C0000000, 0x55D0C0200000), (0x55D0C0200000, 0x55D0C0400000), (0x55D0C0400000, 0x55D0C0600000),
        # 0x7f0000100000-0x7f0000900000: from the first 2 MiB boundary inside it to the last one
        (0x7F0000200000, 0x7F0000400000), (0x7F0000400000, 0x7F0000600000), (0x7F0000600000, 0x7F0000800000),
    ]  # 1 MiB mappings, read-only, file-backed, shared and the stack: none
    assert all(end - start == HUGE_PAGE and start % HUGE_PAGE == 0 for start, end in spans(MAPS))


def _huge_kib(pid: int | str = "self") -> int | None:
    """AnonHugePages of a process, in kB (None: not ours to read, or gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("AnonHugePages:"):
                    return int(line.split()[1])
    except OSError:  # a non-dumpable zygote seen by a user without the right, or a process that has ended
        return None
    return 0


def _needs_collapse():
    """Skip where the collapse cannot be told apart from the kernel's own huge pages, or cannot happen."""
    if tuple(int(part) for part in os.uname().release.split(".")[:2] if part.isdigit()) < (6, 1):
        pytest.skip("MADV_COLLAPSE needs Linux 6.1")
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as handle:
            if "[always]" in handle.read():
                pytest.skip("this kernel puts anonymous memory on huge pages by itself (THP 'always')")
    except OSError:
        pytest.skip("this kernel has no transparent huge pages")


COLLAPSE_OWN_MEMORY = """
import mmap, sys
from autograder.sandbox import hugepages
area = mmap.mmap(-1, 4 * hugepages.HUGE_PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
area.write(b"x" * len(area))  # every page written: a span never written to is refused
def huge():
    with open("/proc/self/smaps_rollup") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("AnonHugePages:"))
before = huge()
built = sum(hugepages.collapse_steps())
print(before, huge(), built)
"""


def test_collapse_steps_put_a_process_s_own_memory_on_huge_pages():
    _needs_collapse()
    run = subprocess.run([sys.executable, "-c", COLLAPSE_OWN_MEMORY], capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr
    before, after, built = (int(word) for word in run.stdout.split())
    # the 16 MiB area alone holds at least three aligned huge pages
    assert built >= 3 and after - before >= 3 * HUGE_PAGE // 1024, run.stdout


def test_the_torch_zygote_is_on_huge_pages_after_its_first_submission():
    _needs_collapse()
    with client.Sandbox(flavours=("torch",)) as sandbox:
        zygote = sandbox.zygote("torch")
        pid = zygote._process.pid
        if _huge_kib(pid) is None:
            pytest.skip("the zygote's memory map is not readable here")
        assert _huge_kib(pid) == 0, "no huge pages before the first submission (its imports come with it)"
        files = {"ex4_autograd_nn.py": (SOLUTIONS / "ex4_autograd_nn.py").read_bytes()}
        init = sandbox.open_submission("torch", files, None, client.Limits())
        try:
            init.spawn().kill()
        finally:
            init.close()
        deadline = time.monotonic() + 20
        # a step at a time, while idle; about 120 MB of its 150 MB (a busy page is tried again: without that,
        # anywhere from 34 to 126 MB, depending on what the first file's processes were doing)
        while (_huge_kib(pid) or 0) < 64 * 1024 and time.monotonic() < deadline:
            time.sleep(0.1)
        found = _huge_kib(pid)
        assert found is not None, "the torch zygote ended"
        assert found >= 64 * 1024, f"AnonHugePages of the torch zygote: {found} kB"
