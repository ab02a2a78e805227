"""Move the zygote's private memory onto huge pages, one step at a time, so that forking it is cheap.

Importing torch leaves about 150 MB of private anonymous memory in the
zygote. Every fork copies one page-table entry per 4 KiB page of it, and
every exit frees them again: about 15 ms of kernel time for a fork and its
exit, and an exercise file costs three of them (leader, init, worker). On
2 MiB transparent huge pages the same memory is a few hundred entries, and a
fork and its exit take about 4 ms (``scripts/bench.py`` shows the effect on a
class). A child that writes into a huge page still gets its own copy of the
4 KiB it wrote (the kernel splits its mapping first): nothing the children
see changes.

``MADV_COLLAPSE`` (Linux 6.1) builds the huge pages on request, whatever the
system's transparent-huge-page setting. A kernel without it, or short of
free huge pages, refuses; the memory then stays as it was. Standard library
only (the zygote imports this before it isolates itself).
"""

import ctypes

MADV_COLLAPSE = 25
HUGE_PAGE = 2 << 20

_libc = None


def spans(maps: str) -> list[tuple[int, int]]:
    """The 2 MiB-aligned ``(start, end)`` huge pages inside the private, anonymous, writable mappings
    listed in ``maps`` (the text of ``/proc/<pid>/maps``), the brk heap included, the stack left out."""
    found = []
    for line in maps.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[1] != "rw-p":
            continue
        name = fields[5] if len(fields) > 5 else ""
        if name not in ("", "[heap]"):
            continue
        low, high = (int(part, 16) for part in fields[0].split("-"))
        start = (low + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
        found.extend((at, at + HUGE_PAGE) for at in range(start, high & ~(HUGE_PAGE - 1), HUGE_PAGE))
    return found


def collapse_steps():
    """Collapse this process's memory (see :func:`spans`) one huge page per ``next()``; yields whether the
    kernel built that one. The caller does other work between steps (the zygote answers requests first)."""
    global _libc
    with open("/proc/self/maps") as handle:
        pages = spans(handle.read())
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)  # the C library this interpreter already uses
        _libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    for start, end in pages:
        # the memory may have been unmapped since /proc was read: the kernel then answers ENOMEM, nothing else
        yield _libc.madvise(start, end - start, MADV_COLLAPSE) == 0
