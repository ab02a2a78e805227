"""A stand-in for one pod of deploy/grading-job.yaml, built with unshare(2) (no container runtime here).

``python tests/pod_standin.py SETTINGS.json -- COMMAND...`` runs COMMAND as a pod would: in a user namespace
(``hostUsers: false``: root inside is uid 200000 outside, the pod's uid 10001 is 210001), its own PID namespace and
/proc, that /proc masked as containerd masks it unless ``procMount`` is ``Unmasked``, as ``runAsUser`` /
``runAsGroup`` with ``fsGroup`` as a supplementary group, with no new privileges, and the volumes bind-mounted
(``mounts``: host path -> path in the pod, read-only where the manifest says so). The machine's Python lives
under /root here, which uid 10001 cannot read; the image's Python is world-readable, so the stand-in shows
/root's Python folder through a world-readable /root. Run as root.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from autograder.sandbox import jail  # noqa: E402  (unshare through ctypes: Python 3.11 has no os.unshare)

OUTSIDE = 200_000
# containerd's defaults for procMount: Default (oci/spec.go: masked paths and read-only paths)
MASKED_FILES = ("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi")
READ_ONLY = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")


def script(settings: dict, command: list[str]) -> str:
    lines = ["set -e", "mount --make-rprivate /", "mount -t proc proc /proc"]
    if settings.get("procMount", "Default") != "Unmasked":
        for path in MASKED_FILES:
            lines.append(f"if [ -d {path} ]; then mount -t tmpfs -o ro tmpfs {path}; "
                         f"elif [ -e {path} ]; then mount --bind /dev/null {path}; fi")
        for path in READ_ONLY:
            lines.append(f"if [ -e {path} ]; then mount --bind {path} {path} && mount -o remount,bind,ro {path}; fi")
    for host, inside, read_only in settings.get("mounts", []):
        lines.append(f"mount --bind {host} {inside}" + (f" && mount -o remount,bind,ro {inside}" if read_only else ""))
    quoted = " ".join("'" + part.replace("'", "'\\''") + "'" for part in command)
    uid, gid, group = settings["runAsUser"], settings.get("runAsGroup", settings["runAsUser"]), settings["fsGroup"]
    lines.append(f"exec setpriv --reuid={uid} --regid={gid} --groups={group} --no-new-privs --inh-caps=-all "
                 f"--bounding-set=-all {quoted}")
    return "\n".join(lines)


def _world_readable_python(home: str | None) -> None:
    """The machine's Python under /root (mode 0700), shown through a world-readable /root, as root, before the
    pod's user namespace (whose root could not even look into /root)."""
    if not home or not home.startswith("/root/"):
        return
    jail.unshare(jail.CLONE_NEWNS)
    jail.mount(None, "/", None, jail.MS_REC | jail.MS_PRIVATE)
    jail.mount("tmpfs", "/mnt", "tmpfs")
    os.mkdir("/mnt/python")
    jail.mount(home, "/mnt/python", None, jail.MS_BIND | jail.MS_REC)
    jail.mount("tmpfs", "/root", "tmpfs", 0, "mode=755")
    os.makedirs(home)
    jail.mount("/mnt/python", home, None, jail.MS_BIND | jail.MS_REC)


def main() -> int:
    settings = json.loads(open(sys.argv[1], encoding="utf-8").read())
    command = sys.argv[sys.argv.index("--") + 1:]
    ready_r, ready_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r), os.close(mapped_w)
        _world_readable_python(settings.get("python_home"))
        flags = jail.CLONE_NEWNS | jail.CLONE_NEWPID | jail.CLONE_NEWIPC | jail.CLONE_NEWUTS
        jail.unshare(jail.CLONE_NEWUSER | flags if settings.get("hostUsers") is False else flags)
        os.write(ready_w, b"1")
        os.read(mapped_r, 1)
        os.setresgid(0, 0, 0)
        os.setresuid(0, 0, 0)
        leader = os.fork()  # PID 1 of the pod's PID namespace
        if leader == 0:
            os.execvp("sh", ["sh", "-c", script(settings, command)])
        _, status = os.waitpid(leader, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    os.read(ready_r, 1)
    if settings.get("hostUsers") is False:
        for name, line in (("uid_map", f"0 {OUTSIDE} 65536\n"), ("gid_map", f"0 {OUTSIDE} 65536\n")):
            with open(f"/proc/{pid}/{name}", "w") as handle:
                handle.write(line)
    os.write(mapped_w, b"1")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
