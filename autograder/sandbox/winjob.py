"""Windows Job Objects for spawned workers (through pywin32's ``win32job``): the limits Windows offers.

A worker is put in a job of its own as soon as it starts (:func:`contain`):
closing the job, or the grader's end, kills every process in it, whatever
the learner's code started (``KILL_ON_JOB_CLOSE``; breaking away is not
allowed), and a crash shows no dialog. When a submission takes the worker
(:func:`limit`) the job gets the limits of ``limits.Limits`` that Windows can
enforce, counted from what the worker already holds after loading NumPy and
torch (as a forked worker's ``RLIMIT_AS`` is): committed memory, user-mode
CPU time, and the number of processes. Windows has no limit on the size of a
written file or the number of open files.

Without pywin32 (a learner's own environment that lacks it) a worker is
killed by its process only, without limits; :data:`AVAILABLE` says so.
"""

from __future__ import annotations

try:
    import win32api
    import win32job
    import win32process
except ImportError:  # not Windows, or pywin32 missing
    win32api = win32job = win32process = None

AVAILABLE = win32job is not None
TICKS = 10_000_000  # Windows counts CPU time in 100-nanosecond ticks


def contain(popen):
    """A new job holding ``popen``'s process, killed with it when closed; None without pywin32."""
    if not AVAILABLE:
        return None
    job = win32job.CreateJobObject(None, "")
    info = win32job.QueryInformationJobObject(job, win32job.JobObjectExtendedLimitInformation)
    info["BasicLimitInformation"]["LimitFlags"] = (
        win32job.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | win32job.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
    )
    win32job.SetInformationJobObject(job, win32job.JobObjectExtendedLimitInformation, info)
    win32job.AssignProcessToJobObject(job, int(popen._handle))
    return job


def limit(job, popen, config: dict) -> None:
    """Add the submission's limits (``Limits.for_worker``) to ``job``, on top of what the worker holds now."""
    handle = int(popen._handle)
    committed = int(win32process.GetProcessMemoryInfo(handle)["PagefileUsage"])
    used = int(win32process.GetProcessTimes(handle)["UserTime"])
    info = win32job.QueryInformationJobObject(job, win32job.JobObjectExtendedLimitInformation)
    basic = info["BasicLimitInformation"]
    basic["LimitFlags"] |= (
        win32job.JOB_OBJECT_LIMIT_PROCESS_MEMORY
        | win32job.JOB_OBJECT_LIMIT_PROCESS_TIME
        | win32job.JOB_OBJECT_LIMIT_ACTIVE_PROCESS
    )
    basic["PerProcessUserTimeLimit"] = used + int(config.get("max_cpu_seconds", 120)) * TICKS
    basic["ActiveProcessLimit"] = int(config.get("max_processes", 32))
    info["ProcessMemoryLimit"] = committed + int(config.get("max_memory_bytes", 2 * 2**30))
    win32job.SetInformationJobObject(job, win32job.JobObjectExtendedLimitInformation, info)


def close(job) -> None:
    """Kill every process of ``job`` and let it go."""
    try:
        win32job.TerminateJobObject(job, 1)
    except Exception:  # noqa: BLE001 - pywintypes.error: already empty or closed
        pass
    try:
        win32api.CloseHandle(job)
    except Exception:  # noqa: BLE001
        pass
