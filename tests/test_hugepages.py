"""The zygote moves its memory onto huge pages once its imports are done (autograder/sandbox/hugepages.py)."""

from __future__ import annotations

import os
import time

import pytest

from autograder.sandbox import client
from autograder.sandbox.hugepages import HUGE_PAGE, spans

from conftest import SOLUTIONS

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


def _huge_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("AnonHugePages:"):
                    return int(line.split()[1])
    except OSError:  # not ours to read (a non-dumpable zygote seen by a user without the right)
        return None
    return 0


def test_the_torch_zygote_is_on_huge_pages_after_its_first_submission():
    if tuple(int(part) for part in os.uname().release.split(".")[:2] if part.isdigit()) < (6, 1):
        pytest.skip("MADV_COLLAPSE needs Linux 6.1")
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as handle:
            if "[never]" in handle.read():
                pytest.skip("transparent huge pages are off on this machine")
    except OSError:
        pytest.skip("this kernel has no transparent huge pages")
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
        while _huge_kib(pid) < 32 * 1024 and time.monotonic() < deadline:  # done a step at a time, while idle
            time.sleep(0.1)
        assert _huge_kib(pid) >= 32 * 1024, f"AnonHugePages of the torch zygote: {_huge_kib(pid)} kB"
