"""What a submission leaves on the host at the `uid` level, removed when it ends (standard library only).

At the `uid` level the sandbox has no namespaces of its own: a submission's
processes share the host's ``/tmp``, ``/var/tmp`` and ``/dev/shm`` and its
System V IPC. Its processes are killed after each submission (``zygote._reap_uid``);
then :func:`sweep`, run by a helper that has become the sandbox's uid, removes

* every file and folder that uid owns in the shared temporary folders
  (``FOLDERS``), at their top and inside world-writable folders below them
  (the only places another uid's folder lets it write), and
* every System V shared memory segment, message queue and semaphore set it
  created or owns (``/proc/sysvipc``), should the seccomp filter that refuses
  them (``jail.forbid_keyrings``) be missing.

Acting as the uid itself, the helper can remove only what that uid may remove:
a link planted to make it delete someone else's file is never followed, and
a file owned by anyone else is left alone. ``keep`` names folders the grader
removes itself (the staged submission, which belongs to the uid).
"""

from __future__ import annotations

import ctypes
import os
import stat

FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/run/lock", "/dev/mqueue")
MAX_DEPTH = 8  # world-writable folders inside world-writable folders: deeper ones are not looked at
MAX_ENTRIES = 100_000  # entries looked at in all (a uid that filled /tmp cannot keep the sweep busy forever)
IPC_RMID = 0
# (the uid level exists on Linux only; elsewhere the module must still import: the flags fall back to 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class _Budget:
    def __init__(self):
        self.left = MAX_ENTRIES

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _remove_tree(name: str, parent: int, budget: _Budget) -> None:
    """Remove the folder ``name`` (under the open folder ``parent``) that we own, whatever its mode."""
    try:  # (a folder made unreadable or unwritable to resist; the uid's processes are gone, so it is still ours)
        os.chmod(name, 0o700, dir_fd=parent)
    except OSError:
        pass
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError:
        return
    try:
        for entry in list(os.scandir(fd)):
            if not budget.take():
                return
            try:
                _remove(entry.name, fd, os.lstat(entry.name, dir_fd=fd), budget)
            except OSError:
                continue
    except OSError:
        pass
    finally:
        os.close(fd)
    try:
        os.rmdir(name, dir_fd=parent)
    except OSError:
        pass


def _remove(name: str, parent: int, info: os.stat_result, budget: _Budget) -> None:
    """Remove the entry ``name`` of the open folder ``parent`` (``info``: its lstat); OSError if it stays."""
    if stat.S_ISDIR(info.st_mode):
        _remove_tree(name, parent, budget)
    else:
        os.unlink(name, dir_fd=parent)


def _sweep_folder(fd: int, uid: int, keep: set, depth: int, budget: _Budget) -> int:
    removed = 0
    try:
        entries = list(os.scandir(fd))
    except OSError:
        return 0
    for entry in entries:
        if not budget.take():
            break
        try:
            info = os.lstat(entry.name, dir_fd=fd)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in keep:
            continue
        if info.st_uid == uid:
            try:
                _remove(entry.name, fd, info, budget)
            except OSError:
                continue
            removed += 1
        elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH and depth < MAX_DEPTH:
            try:
                child = os.open(entry.name, _DIR_FLAGS, dir_fd=fd)
            except OSError:
                continue
            try:
                removed += _sweep_folder(child, uid, keep, depth + 1, budget)
            finally:
                os.close(child)
    return removed


def remove_files(uid: int, folders=FOLDERS, keep=()) -> int:
    """Remove what ``uid`` owns in ``folders`` (see the module docstring); returns how many top entries went.

    Only ``os`` calls: run as the sandbox's uid, the process may not be able to import anything any more."""
    kept = set()
    for path in keep:
        try:
            info = os.lstat(path)
            kept.add((info.st_dev, info.st_ino))
        except (OSError, TypeError, ValueError):
            pass
    removed, budget = 0, _Budget()
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            removed += _sweep_folder(fd, uid, kept, 0, budget)
        finally:
            os.close(fd)
    return removed


def ipc_objects(uid: int) -> list[tuple[str, int]]:
    """(kind, id) of every System V object of this IPC namespace that ``uid`` owns or created."""
    found = []
    for kind, id_column in (("shm", "shmid"), ("msg", "msqid"), ("sem", "semid")):
        try:  # (bytes: run as the sandbox's uid, this process may no longer import a text codec)
            with open(f"/proc/sysvipc/{kind}", "rb") as handle:
                header = handle.readline().split()
                rows = [line.split() for line in handle]
        except OSError:
            continue
        try:
            at_id, at_uid, at_cuid = (header.index(name) for name in (id_column.encode(), b"uid", b"cuid"))
        except ValueError:
            continue
        for row in rows:
            try:
                if uid in (int(row[at_uid]), int(row[at_cuid])):
                    found.append((kind, int(row[at_id])))
            except (IndexError, ValueError):
                continue
    return found


def remove_ipc(uid: int) -> int:
    """Remove ``uid``'s System V objects (a segment still attached goes once its last process is gone)."""
    libc = ctypes.CDLL(None, use_errno=True)  # (the C library this process already has: no ldconfig to run)
    removed = 0
    for kind, ident in ipc_objects(uid):
        if kind == "shm":
            result = libc.shmctl(ctypes.c_int(ident), ctypes.c_int(IPC_RMID), None)
        elif kind == "msg":
            result = libc.msgctl(ctypes.c_int(ident), ctypes.c_int(IPC_RMID), None)
        else:
            result = libc.semctl(ctypes.c_int(ident), ctypes.c_int(0), ctypes.c_int(IPC_RMID))
        removed += result == 0
    return removed


def sweep(uid: int, keep=()) -> None:
    """Both of the above (called as ``uid``, once its processes are gone)."""
    remove_files(uid, keep=keep)
    remove_ipc(uid)
