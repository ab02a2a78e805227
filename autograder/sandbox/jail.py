"""Linux namespaces for the sandbox, with nothing but the standard library (ctypes).

The zygote calls :func:`enter` once, before it imports NumPy or torch:

1. ``unshare`` a new user, mount, network, IPC and UTS namespace. A helper
   forked just before (still outside) writes the user namespace's uid and gid
   maps: inside, the sandbox is root of its own namespace; outside it is an
   unprivileged user (``nobody`` when the grader runs as root, the learner's
   own uid otherwise), so it owns nothing of the host.
2. Build a new root on a tmpfs that holds only read-only bind mounts of what
   Python needs (the interpreter, the standard library, the packages allowed
   for this sandbox, the system libraries) plus an empty ``/tmp``,
   ``/dev/shm``, ``/proc`` and ``/submission``; ``pivot_root`` into it and detach
   the host's tree. The kit's checkout, the solutions, the hidden checks, the
   outputs, other submissions, ``/etc``, the home folder: none of it exists
   in there.

For every submission (one per exercise file) the zygote then forks a leader that calls
:func:`new_submission_namespaces` and forks the submission's init, which
calls :func:`setup_submission`: a new PID and mount namespace (its first child is
PID 1 there: when it dies, the kernel kills every process of the submission,
double-forked daemons included), a fresh ``/proc``, private size-capped
tmpfs ``/tmp``, ``/dev/shm`` and ``/submission`` (the submission's files,
then read-only), and finally :func:`drop_privileges`: no capabilities, no way to
regain them, not dumpable (so nothing can ptrace it or read its memory).

Everything here raises :class:`JailError` when the kernel refuses; the caller
falls back to a weaker level and says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_RELATIME = 1 << 21
# statvfs f_flag bits -> the mount flags a user namespace must keep when it remounts (the kernel locks them)
_KEPT_FLAGS = {
    os.ST_NOSUID: MS_NOSUID,
    os.ST_NODEV: MS_NODEV,
    os.ST_NOEXEC: MS_NOEXEC,
    os.ST_NOATIME: MS_NOATIME,
    os.ST_NODIRATIME: MS_NODIRATIME,
    os.ST_RELATIME: MS_RELATIME,
}

PR_SET_CHILD_SUBREAPER = 36
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
KEYCTL_JOIN_SESSION_KEYRING = 1
# (audit arch, syscall numbers of add_key, request_key, keyctl, keyctl's number for the call above)
_KEY_SYSCALLS = {"x86_64": (0xC000003E, (248, 249, 250), 250), "aarch64": (0xC00000B7, (217, 218, 219), 219)}

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECBIT_ALL_LOCKED_NOROOT = 0x2F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED and their locks

SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = None


class JailError(OSError):
    """The kernel refused a step of building the sandbox."""


def _lib():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(result, what):
    if result != 0:
        code = ctypes.get_errno()
        raise JailError(code, f"{what}: {os.strerror(code)}")


def unshare(flags: int) -> None:
    _check(_lib().unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, fstype, flags=0, data=None) -> None:
    _check(
        _lib().mount(
            None if source is None else os.fsencode(source),
            os.fsencode(target),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            None if data is None else data.encode(),
        ),
        f"mount {target}",
    )


def umount(target, flags=0) -> None:
    _check(_lib().umount2(os.fsencode(target), ctypes.c_int(flags)), f"umount {target}")


def _syscall(table, *args):
    number = table.get(os.uname().machine)
    if number is None:
        raise JailError(errno.ENOSYS, f"unsupported machine {os.uname().machine}")
    return _lib().syscall(ctypes.c_long(number), *args)


def pivot_root(new_root, put_old) -> None:
    _check(_syscall(SYS_PIVOT_ROOT, os.fsencode(new_root), os.fsencode(put_old)), "pivot_root")


def prctl(option, arg2=0) -> None:
    _check(
        _lib().prctl(
            ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)
        ),
        f"prctl {option}",
    )


# ------------------------------------------------------------------ stage 1


def _write(path, data):
    with open(path, "w", encoding="ascii") as handle:
        handle.write(data)


def enter(
    binds: list[tuple[str, str]],
    outside_uid: int,
    outside_gid: int,
    *,
    files=(),
    devices=(),
    links=(),
    work="/submission",
    masks=(),
) -> None:
    """Move this (single-threaded) process into new namespaces and a new, read-only root.

    ``binds`` are (host path, path inside) pairs of folders, mounted read-only;
    ``files`` are single host files (mounted read-only at the same path),
    ``devices`` are /dev nodes bound read-write (null, zero, urandom...),
    ``links`` (path, target) symbolic links to create (``/lib -> usr/lib``), ``work``
    the empty folder where each submission's files will be mounted, ``masks``
    folders inside the binds to cover with an empty read-only tmpfs. Ends with
    :func:`probe_submission`, so a machine that would refuse the per-submission
    steps refuses here, where the grader can still fall back.
    """
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.getpid()
    helper = os.fork()
    if helper == 0:  # stays outside and writes the maps once the namespace exists
        code = 1
        try:
            os.close(ready_w)
            os.close(done_r)
            if os.read(ready_r, 1) == b"U":
                _write(f"/proc/{pid}/setgroups", "deny")
                _write(f"/proc/{pid}/uid_map", f"0 {outside_uid} 1\n")
                _write(f"/proc/{pid}/gid_map", f"0 {outside_gid} 1\n")
                os.write(done_w, b"M")
                code = 0
        except OSError:
            pass
        finally:
            os._exit(code)
    os.close(ready_r)
    os.close(done_w)
    try:
        try:
            unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
        except JailError:
            os.write(ready_w, b"X")
            raise
        os.write(ready_w, b"U")
        if os.read(done_r, 1) != b"M":
            raise JailError(errno.EPERM, "the uid/gid maps of the sandbox could not be written")
    finally:
        os.close(ready_w)
        os.close(done_r)
        os.waitpid(helper, 0)
    # open every source (in the new mount namespace) while the host's paths can still be
    # looked up as ourselves, before the mount of the new root hides any of them
    sources = {
        path: os.open(path, os.O_PATH | os.O_CLOEXEC)
        for path in [source for source, _ in binds] + list(files) + [f"/dev/{d}" for d in devices] + ["/proc"]
    }
    os.setresgid(0, 0, 0)  # from now on we are the unprivileged outside user, root only in here
    os.setresuid(0, 0, 0)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = "/tmp"  # any existing folder serves as a mount point for the new root
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    targets = []
    for source, target in binds:
        inside = root + target
        os.makedirs(inside, exist_ok=True)
        mount(f"/proc/self/fd/{sources[source]}", inside, None, MS_BIND | MS_REC)
        targets.append(inside)
    for source in files:
        inside = root + source
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        open(inside, "wb").close()
        mount(f"/proc/self/fd/{sources[source]}", inside, None, MS_BIND)
        targets.append(inside)
    os.makedirs(root + "/dev", exist_ok=True)
    for name in devices:
        inside = f"{root}/dev/{name}"
        open(inside, "wb").close()
        mount(f"/proc/self/fd/{sources['/dev/' + name]}", inside, None, MS_BIND)
    for path, target in links:
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        os.symlink(target, root + path)
    for folder in ("/tmp", "/dev/shm", "/proc", work, "/old-root"):
        os.makedirs(root + folder, exist_ok=True)
    # The host's /proc stays visible to the zygote only: the kernel lets a user namespace mount a
    # new proc (for a submission's PID namespace) only where a full one is already mounted, and
    # every submission's /proc is mounted over this one before any submitted code runs.
    mount(f"/proc/self/fd/{sources['/proc']}", root + "/proc", None, MS_BIND | MS_REC)
    for target in masks:  # folders that must look empty (another Python's site-packages)
        inside = root + target
        if os.path.isdir(inside):
            mount("tmpfs", inside, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    pivot_root(root, root + "/old-root")
    os.chdir("/")
    umount("/old-root", MNT_DETACH)
    os.rmdir("/old-root")
    for fd in sources.values():
        os.close(fd)
    read_only_everywhere(keep_writable=("/proc", "/dev/"))
    probe_submission()


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        for line in handle:
            point = line.split()[4].replace("\\040", " ")
            points.append(point)
    return points


def read_only_everywhere(keep_writable=()) -> None:
    """Remount every mount read-only (submounts too), keeping the flags the kernel locked on it."""
    for point in sorted(set(_mount_points()), key=len):
        if any(point == keep.rstrip("/") or point.startswith(keep) for keep in keep_writable):
            continue
        try:
            kept = os.statvfs(point).f_flag
        except OSError:
            continue
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
        for bit, flag in _KEPT_FLAGS.items():
            if kept & bit:
                flags |= flag
        mount(None, point, None, flags)


def probe_submission() -> None:
    """Try the steps of :func:`setup_submission` once (a PID namespace and a fresh /proc), in a child.

    Containers often cover parts of /proc (``/proc/kcore``...), and then the
    kernel refuses a new proc mount: better to learn it now than to fail
    every submission later.
    """
    child = os.fork()
    if child == 0:
        code = 1
        try:
            new_submission_namespaces()
            grandchild = os.fork()
            if grandchild == 0:
                inner = 1
                try:
                    mount(None, "/", None, MS_REC | MS_PRIVATE)
                    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
                    inner = 0
                finally:
                    os._exit(inner)
            _, status = os.waitpid(grandchild, 0)
            code = 0 if status == 0 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    if status != 0:
        raise JailError(errno.EPERM, "a submission's PID namespace or /proc could not be set up here")


# ------------------------------------------------------------------ stage 2


def new_submission_namespaces() -> None:
    """In the zygote's child: new PID, mount, IPC and network namespaces (the next child is PID 1).

    (The UTS namespace is the zygote's, shared by all submissions: without
    capabilities a submission cannot change the host name in it.)
    """
    unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)


def setup_submission(files: dict[str, bytes], folder: str, *, work_bytes: int, tmp_bytes: int, shm_bytes: int) -> None:
    """In PID 1 of the submission: its own /proc, /tmp, /dev/shm and read-only ``folder``; no privileges."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path, size in (("/tmp", tmp_bytes), ("/dev/shm", shm_bytes), (folder, work_bytes)):
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={max(int(size), 4096)},mode=1777")
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
    mount(None, folder, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    zero_ipc_limits()
    forbid_new_namespaces()
    new_session_keyring()
    drop_privileges()


# The submission's IPC namespace holds no System V object and no POSIX message queue (its limits, per namespace)
IPC_LIMITS = {
    "/proc/sys/kernel/shmmni": "0",
    "/proc/sys/kernel/shmall": "0",
    "/proc/sys/kernel/shmmax": "0",
    "/proc/sys/kernel/msgmni": "0",
    "/proc/sys/kernel/sem": "0 0 0 0",
    "/proc/sys/fs/mqueue/queues_max": "0",
}


def zero_ipc_limits() -> bool:
    """Set the submission's IPC namespace's limits to zero, while we are still its root; True if all were set.

    A second wall behind the seccomp filter (:func:`forbid_keyrings`), which refuses the same calls: should
    the filter be missing, no segment, queue or semaphore can be made here either. Kernels that do not let
    a user namespace's root write these (before Linux 6.x some are the host's only) keep their defaults;
    the filter alone then refuses the calls.
    """
    done = True
    for path, value in IPC_LIMITS.items():
        try:
            _write(path, value)
        except OSError:
            done = False
    return done


def forbid_new_namespaces() -> None:
    """No nested user namespace (in which the submission would be root again) from now on.

    The limit belongs to the zygote's user namespace. Without capabilities and
    without a user namespace of its own, no other kind of namespace can be
    made either; the zygote still makes them for later submissions, as the
    root of this user namespace.
    """
    try:
        _write("/proc/sys/user/max_user_namespaces", "0")
    except OSError:
        pass


def new_session_keyring() -> None:
    """Leave the grader's session keyring (keyrings have no namespaces) for a new, empty one."""
    arch = _KEY_SYSCALLS.get(os.uname().machine)
    if arch is not None:
        _lib().syscall(ctypes.c_long(arch[2]), ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), None)


# System V IPC (shared memory, message queues, semaphores) and POSIX message queues, by machine: memory
# that no process owns (RLIMIT_AS does not count a detached segment, and killing its creator frees
# nothing) and objects that can outlive the code that made them. NumPy and torch use none of them.
_IPC_SYSCALLS = {
    # shmget shmat shmctl semget semop semctl shmdt msgget msgsnd msgrcv msgctl semtimedop mq_open..mq_getsetattr
    "x86_64": (29, 30, 31, 64, 65, 66, 67, 68, 69, 70, 71, 220, 240, 241, 242, 243, 244, 245),
    # mq_open..mq_getsetattr msgget msgctl msgrcv msgsnd semget semctl semtimedop semop shmget shmctl shmat shmdt
    "aarch64": tuple(range(180, 198)),
}


def denied_syscalls() -> tuple[int, ...]:
    """The syscall numbers the sandbox's seccomp filter refuses on this machine (keyrings, then IPC)."""
    machine = os.uname().machine
    return tuple(_KEY_SYSCALLS[machine][1]) + tuple(_IPC_SYSCALLS.get(machine, ()))


def _filter_program(audit_arch: int, numbers: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """A classic BPF program: another ABI or x32 numbers -> EPERM; each of ``numbers`` -> EPERM; else allow."""
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EPERM
    code = [
        (load, 0, 0, 4),  # seccomp_data.arch
        (jeq, 1, 0, audit_arch),  # this ABI: go on; any other (i386, x32 entry points): deny
        (ret, 0, 0, deny),
        (load, 0, 0, 0),  # seccomp_data.nr
        (jge, len(numbers) + 1, 0, 0x40000000),  # x32 numbers: deny
    ]
    for index, number in enumerate(numbers):  # a match jumps over the rest and the allow, to the deny
        code.append((jeq, len(numbers) - index, 0, number))
    return code + [(ret, 0, 0, allow), (ret, 0, 0, deny)]


def forbid_keyrings() -> None:
    """A seccomp filter: the calls of :func:`denied_syscalls` fail with EPERM, as do foreign-ABI syscalls.

    Kernel keyrings are not namespaced: without this, submitted code could read
    the grader's keys or leave a key for a later submission to read. System V
    IPC and POSIX message queues hold memory outside any process (see
    ``_IPC_SYSCALLS``); at the `uid` and `none` levels they are the host's own.
    """
    arch = _KEY_SYSCALLS.get(os.uname().machine)
    if arch is None:
        raise JailError(errno.ENOSYS, f"no seccomp filter for {os.uname().machine}")

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    code = _filter_program(arch[0], denied_syscalls())
    table = (Filter * len(code))(*[Filter(*item) for item in code])
    program = Program(len(code), table)
    _check(
        _lib().prctl(
            ctypes.c_int(PR_SET_SECCOMP),
            ctypes.c_ulong(SECCOMP_MODE_FILTER),
            ctypes.cast(ctypes.pointer(program), ctypes.c_void_p),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        ),
        "seccomp",
    )


def drop_privileges() -> None:
    """No capabilities now or after any exec, no new privileges, no keyrings, not dumpable."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    forbid_keyrings()
    for cap in range(64):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except JailError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: past the last capability this kernel knows
                raise
            break
    try:
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except JailError:
        pass
    prctl(PR_SET_SECUREBITS, SECBIT_ALL_LOCKED_NOROOT)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    _check(_syscall(SYS_CAPSET, ctypes.byref(header), ctypes.byref(data)), "capset")
    prctl(PR_SET_DUMPABLE, 0)
