"""The pre-flight check (``python -m autograder doctor``, and Gradescope's hidden output when the sandbox is
refused): what the sandbox gets on this machine, before a class is graded.

:func:`check` starts the sandbox as a grading channel would and prints: the level granted (``namespaces``,
``uid`` or ``none``), why a stronger one was refused (read from the kernel's settings, the
container's ``/proc`` and seccomp mode), what that level protects, whether the submission folder
(``--submissions``) is readable by the user the submission is read as, and what to do. It exits 1
where the channel would refuse to grade (``batch``, Gradescope and nbgrader refuse below
``namespaces`` unless allowed), 2 where the submissions cannot be read, and 0 otherwise.

The Gradescope bundle's ``setup.sh`` runs it when Gradescope builds the image, the Kubernetes Job
runs it as its first step (an init container), and Gradescope's hidden output points to it when
the sandbox is refused. Instructor-facing, in English like ``batch``'s own output.
"""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

from autograder import messages
from autograder.course import registry
from autograder.grading.class_folder import discover
from autograder.grading.submission import stage
from autograder.sandbox.client import probe_level, requested_level

REFUSING = ("batch", "gradescope", "nbgrader")  # channels that refuse to grade below `namespaces`

PROTECTS = {
    "namespaces": "submitted code runs in its own user, mount, PID, network, IPC and UTS namespaces: it sees a "
    "read-only Python and its own files only (not the kit, the solutions, the hidden checks, other "
    "students' files or the outputs), has no network, and nothing it starts outlives its checks",
    "uid": "submitted code runs as a separate unprivileged user with resource limits; it can still read this "
    "machine's world-readable files (a kit installed with pip among them) and use the network",
    "none": "submitted code runs as you, with resource limits only: enough for your own code, not for grading others'",
}

# containerd's and CRI-O's default masked and read-only paths under /proc (a container's default procMount)
MASKED_PROC = (
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def covered_proc() -> list[str]:
    """Mount points below /proc (a masked /proc): the kernel then refuses a new proc in a user namespace."""
    points = []
    for line in _read("/proc/self/mountinfo").splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[4].startswith("/proc/"):
            points.append(fields[4])
    return sorted(set(points))


def seccomp_mode() -> str:
    for line in _read("/proc/self/status").splitlines():
        if line.startswith("Seccomp:"):
            return {"0": "none", "1": "strict", "2": "filter"}.get(line.split()[-1], line.split()[-1])
    return "unknown"


def causes() -> list[tuple[str, str]]:
    """(what was found, what to do) for each setting of this machine known to refuse user namespaces."""
    found = []
    if not sys.platform.startswith("linux"):
        return [
            (
                f"{sys.platform} has no Linux namespaces",
                "grade the class on Linux (a VM, Gradescope, or the Kubernetes Job in deploy/)",
            )
        ]
    if _read("/proc/sys/kernel/unprivileged_userns_clone") == "0":
        found.append(
            (
                "kernel.unprivileged_userns_clone = 0 (unprivileged user namespaces are off)",
                "sysctl -w kernel.unprivileged_userns_clone=1 (or grade as root elsewhere)",
            )
        )
    if _read("/proc/sys/user/max_user_namespaces") == "0":
        found.append(("user.max_user_namespaces = 0", "sysctl -w user.max_user_namespaces=15000"))
    if _read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
        found.append(
            (
                "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later)",
                "grade as root, or allow them: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 "
                "(or an AppArmor profile for the Python that grades)",
            )
        )
    covered = covered_proc()
    if covered:
        shown = ", ".join(covered[:4]) + (" ..." if len(covered) > 4 else "")
        found.append(
            (
                f"/proc is masked ({shown}): a container's default, under which the kernel refuses a new "
                "/proc in a user namespace",
                "Kubernetes: run the pod with hostUsers: false and procMount: Unmasked (deploy/grading-job.yaml);"
                " Docker/Podman: --security-opt systempaths=unconfined",
            )
        )
    if seccomp_mode() == "filter":
        found.append(
            (
                "a seccomp filter is on (a container's default profile refuses unshare)",
                "Kubernetes: the Localhost profile deploy/seccomp/backprop-kit.json (see deploy/README.md); "
                "Docker/Podman: --security-opt seccomp=deploy/seccomp/backprop-kit.json",
            )
        )
    return found


def _submissions_readable(folder: Path, channel: str) -> tuple[bool, list[str]]:
    """Whether every submission in ``folder`` can be read by the user it will be read as (Gradescope: nobody)."""
    registry.course(include_hidden=True)  # loaded now: the reading child runs as a user who may not read them
    messages.preload()
    lines = []
    if not folder.is_dir():
        return False, [f"{folder} is not a folder"]
    ids = unprivileged_ids() if os.geteuid() == 0 and channel == "gradescope" else None
    who = f"uid {ids[0]}" if ids else f"uid {os.geteuid()} (you)"
    entries = discover(folder) or [type("One", (), {"student": folder.name, "path": folder})()]
    bad = []
    for entry in entries:
        staged = stage(entry.path, as_ids=ids)
        if "unreadable" in staged.problems:
            bad.append(f"{entry.student}: {'; '.join(staged.notes)[:300]}")  # notes in the catalogue's language
    if bad:
        lines.append(f"{len(bad)} of {len(entries)} submissions are not readable by {who}:")
        lines += [f"  {line}" for line in bad[:10]]
        lines.append(
            "  what to do: make the folders readable (chmod -R a+rX, or on Kubernetes an fsGroup the volume honours)"
        )
        return False, lines
    lines.append(f"the {len(entries)} submissions in {folder} are readable by {who}")
    return True, lines


def unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) to read and run the submission as, when we are root (Gradescope: nobody); None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        user = pwd.getpwnam(os.environ.get("AUTOGRADER_SANDBOX_USER", "nobody"))
    except KeyError:
        return 65534, 65534
    return user.pw_uid, user.pw_gid


def check(channel: str, submissions: str | None = None, allow_weak_sandbox: bool = False) -> int:
    """Print the pre-flight report for ``channel``; the exit code of ``doctor`` (see above)."""
    print(f"backprop-kit doctor (channel: {channel})")
    try:
        wanted = requested_level()
        level, refusal = probe_level()
    except Exception as exc:  # noqa: BLE001 - the sandbox did not even start: say so, and refuse
        print(f"sandbox: did not start ({type(exc).__name__}: {exc})")
        print("what to do: reinstall the kit (make .venv/.core-installed, or pip install .) and run doctor again")
        return 1
    print(
        f"sandbox level: {level}"
        + (
            f" (capped at {wanted} by AUTOGRADER_SANDBOX_LEVEL)"
            if wanted != "namespaces" and os.environ.get("AUTOGRADER_SANDBOX_LEVEL")
            else ""
        )
    )
    print(f"what it protects: {PROTECTS[level]}")
    code = 0
    if level != "namespaces":
        print(f"why not namespaces: {refusal or 'refused before the sandbox started'}")
        for finding, fix in causes():
            print(f"  found: {finding}\n  what to do: {fix}")
        if channel in REFUSING and not allow_weak_sandbox:
            flag = {
                "batch": "batch --allow-weak-sandbox (make batch ALLOW_WEAK_SANDBOX=1)",
                "gradescope": "make gradescope ALLOW_WEAK_SANDBOX=1",
                "nbgrader": "c.GradeInSandbox.allow_weak_sandbox = True in nbgrader_config.py",
            }[channel]
            print(
                f"{channel} would REFUSE to grade here. Fix the above, or accept the {level!r} level "
                f"knowingly with {flag}."
            )
            code = 1
        else:
            print(f"{channel} would grade here at the {level!r} level.")
    else:
        print(f"{channel} would grade here.")
    if submissions:
        readable, lines = _submissions_readable(Path(submissions), channel)
        for line in lines:
            print(line)
        if not readable and code == 0:
            code = 2
    return code
