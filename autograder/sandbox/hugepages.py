"""Move the zygote's private memory onto huge pages, one step at a time, so that forking it is cheap.

Importing torch leaves about 150 MB of private anonymous memory in the
zygote. Every fork copies one page-table entry per 4 KiB page of it, and
every exit frees them again: about 15 ms of kernel time for a fork and its
exit, and an exercise file costs three of them (leader, init, worker). On
2 MiB transparent huge pages the same memory is a few hundred entries, and a
fork and its exit take about 4 ms: a torch file's open, spawn and close costs
about 20 ms of CPU instead of 35 to 50. A child that writes into a huge page still gets its own copy of the
4 KiB it wrote (the kernel splits its mapping first): nothing the children
see changes.

``MADV_COLLAPSE`` (Linux 6.1) builds the huge pages on request, whatever the
system's transparent-huge-page setting. A kernel without it, or short of
free huge pages, refuses; the memory then stays as it was. The copy costs
memory for a moment: the first file's processes, still running, keep the
old pages (about 130 MB more until they end). Writes of the zygote's own
split a few huge pages again over the first submissions (about a quarter);
collapsing again after every open costs more than the forks it speeds up.
Standard library only (the zygote imports this before it isolates itself,
and reads the huge page's size now: ``/sys`` is not in the jail).
"""

import ctypes
import errno

MADV_COLLAPSE = 25
RETRIES = 2  # passes over the spans the kernel called busy (see collapse_steps)


def _huge_page_size() -> int:
    try:  # 2 MiB on x86-64; 512 MiB on arm64 with 64 KiB pages
        with open("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", encoding="ascii") as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return 2 << 20


HUGE_PAGE = _huge_page_size()


def spans(maps: str, size: int = HUGE_PAGE) -> list[tuple[int, int]]:
    """The ``size``-aligned ``(start, end)`` huge pages inside the private, anonymous, writable mappings
    listed in ``maps`` (the text of ``/proc/<pid>/maps``), the brk heap included, the stack left out."""
    found: list[tuple[int, int]] = []
    for line in maps.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[1] != "rw-p":
            continue
        name = fields[5] if len(fields) > 5 else ""
        if name not in ("", "[heap]"):
            continue
        low, high = (int(part, 16) for part in fields[0].split("-"))
        start = (low + size - 1) & ~(size - 1)
        found.extend((at, at + size) for at in range(start, high & ~(size - 1), size))
    return found


def collapse_steps():
    """Collapse this process's memory (see :func:`spans`) one huge page per ``next()``; yields whether the
    kernel built that one (it refuses, among others, a span never written to). A span the kernel calls busy
    (EAGAIN: a child was forking or exiting over it just then) is tried again after the others, up to
    ``RETRIES`` times: without that, what the first submission's processes were doing left anywhere from a
    quarter to all of the memory collapsed. The caller does other work between steps (the zygote answers
    requests first). Nothing here raises: without ``/proc`` or the C library, there is no step."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as handle:
            pages = spans(handle.read())
        libc = ctypes.CDLL(None, use_errno=True)  # the C library this interpreter already uses
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    except (OSError, AttributeError):
        return
    for _ in range(RETRIES + 1):
        busy = []
        for start, end in pages:
            # what was there when /proc was read may have been unmapped since (the kernel answers ENOMEM) or
            # replaced by another mapping (collapsed in its turn, which is as harmless)
            built = libc.madvise(start, end - start, MADV_COLLAPSE) == 0
            if not built and ctypes.get_errno() == errno.EAGAIN:
                busy.append((start, end))
            yield built
        pages = busy  # pages a child was mapping or unmapping just then: once more, after the others
