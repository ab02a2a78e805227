"""The limits of a submission's processes: time per request, a budget per submission, memory, files, processes.

The grader keeps the time limits itself (``session``); the others are sent to the sandbox
(:meth:`Limits.for_worker`) and set there, hard, in each worker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .levels import sandbox_ids


@dataclass
class Limits:
    """Hard limits for the submission's processes (soft = hard: they cannot be raised again).

    Time: a call (or an import) may take ``time_factor`` times what the reference solution took for the
    same request on the kit's machine (``checks/limits/<exercise>.json``, written by ``scripts/calibrate.py
    --limits``), never less than ``time_floor`` seconds and never more than ``call_seconds`` /
    ``import_seconds``. A request the table does not know gets the cap. An endless loop then costs three
    seconds, not ten, while a correct but slower solution (plain Python loops, a file that imports
    matplotlib, a grading machine a few times slower) keeps a wide margin.
    """

    call_seconds: float = 10.0  # the most any call may take (``--timeout``)
    import_seconds: float = 10.0
    time_factor: float = 20.0
    # a learner's plain Python loops may be 30x slower than the reference's NumPy, and code that reaches past
    # what eager torch needs imports the compiler inside the call (1.5 s; see libraries._defer_dynamo)
    time_floor: float = 3.0
    submission_seconds: float = 180.0  # wall-clock budget of a whole submission, all calls together
    max_memory_bytes: int = 2 * 2**30  # address space per process, on top of what NumPy and torch map
    max_file_bytes: int = 16 * 2**20
    max_cpu_seconds: int = 120
    max_open_files: int = 64
    max_processes: int = 32  # per uid: only applied where the sandbox has a uid of its own
    work_bytes: int = 8 * 2**20
    tmp_bytes: int = 64 * 2**20
    shm_bytes: int = 16 * 2**20
    uid: int | None = None
    gid: int | None = None

    def seconds_for(self, reference: float | None, cap: float) -> float:
        """The time limit of a request the reference answered in ``reference`` seconds (None: unknown)."""
        if reference is None:
            return cap
        return min(cap, max(self.time_floor, self.time_factor * reference))

    def for_worker(self, level: str = "none") -> dict:
        out = {
            "max_memory_bytes": self.max_memory_bytes,
            "max_file_bytes": self.max_file_bytes,
            "max_cpu_seconds": self.max_cpu_seconds,
            "max_open_files": self.max_open_files,
            "work_bytes": self.work_bytes,
            "tmp_bytes": self.tmp_bytes,
            "shm_bytes": self.shm_bytes,
            "level": level,
        }
        if level == "uid" or (level == "namespaces" and os.geteuid() == 0):
            out["max_processes"] = self.max_processes
        if level == "uid":
            uid, gid = (self.uid, self.gid) if self.uid is not None else sandbox_ids()
            out.update(uid=uid, gid=gid if gid is not None else uid)
        return out
