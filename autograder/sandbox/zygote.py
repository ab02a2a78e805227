"""The sandbox process: run as ``python -I zygote.py <fd>`` by the grader.

The grader's first message says how to isolate: at the ``namespaces`` level
the zygote enters new user, mount, network, IPC and UTS namespaces and a new
read-only root (see ``jail``) before it imports anything; at the ``uid`` and
``none`` levels it stays where it is. Then it imports NumPy (and torch, for
the ``torch`` flavour; the ``numpy`` flavour cannot import torch at all)
once, without running a torch operation, so forking stays safe and cheap
(cheaper still once the first submission's imports are done: while idle, it
moves its memory onto huge pages, see ``hugepages``).

For every submission (``open``) it forks the submission's *init*: at the
``namespaces`` level PID 1 of a new PID namespace, with the submission's files
in a private read-only ``/submission`` and private ``/tmp`` and ``/dev/shm``, and
no capabilities; otherwise a process in its own session working in the
staged folder. The init answers ``spawn`` requests by forking one *worker*
per exercise module (resource limits set hard, file descriptors 0-2 on
/dev/null, privileges dropped at the ``uid`` level); each worker's end of a
new socket pair goes back to the grader with ``SCM_RIGHTS``, and from then on
the grader talks to the worker directly, one JSON request at a time. When the
grader kills the init, every process of the submission dies with it. At the
``namespaces`` level the init also answers ``freeze`` and ``thaw``: it stops
(``SIGSTOP``) every other process of its namespace, until it has seen them all
stopped, or lets them go on; the grader freezes an exercise file between its
public and its hidden checks (``session.Session.retire_others``).

This file is the zygote's server and the inits' loop; what a worker does with
the grader's requests is ``worker`` (its output kept, where it runs said,
bounded again and made printable by the grader: ``output``), and the
libraries it has loaded are ``libraries``'s.

Only plain data leaves a worker (see ``codec``). This file never imports the
grader package: the sandbox needs nothing from it but ``codec`` and ``jail``
(with ``libraries``, ``worker``, ``hugepages`` and ``leftovers`` beside it),
and, for an exercise that has them, the trusted helpers of
``checks/in_sandbox/<exercise>.py`` (diagnostics run next to the learner's
code, test functions passed by name), whose source arrives with the ``open``
request and is run in each worker before the learner's module is imported.
"""

import base64
import json
import os
import select
import signal
import socket
import sys
import time
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)  # python -I puts neither the script's folder nor the cwd on sys.path

try:
    import resource
except ImportError:  # Windows: its spawned workers are limited by a Job Object instead (see spawned.py)
    resource = None  # type: ignore[assignment]
import hugepages  # noqa: E402 - standard library only

try:
    import jail  # noqa: E402 - standard library only
except (ImportError, AttributeError, OSError):  # not Linux: only spawned workers run there (spawned.py)
    jail = None
import leftovers  # noqa: E402 - standard library only
import libraries  # noqa: E402 - standard library only (until its load(), after isolation)
import worker  # noqa: E402 - standard library only

WORK = "/submission"  # the submission's folder inside the namespaces (the grader may choose another)


def _hard_limit(kind, value):
    """Set soft = hard = ``value`` (never above the current hard limit): it cannot be raised again."""
    if value is None:
        return
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        resource.setrlimit(kind, (min(value, soft) if soft != resource.RLIM_INFINITY else value, value))


def _vm_bytes():
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _become_worker(sock, config, folder):
    """In a fresh child of the submission's init: limits, then serve the grader."""
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    os.chdir(folder)
    sys.path[:] = [folder] + [entry for entry in sys.path if entry != _HERE]
    sys.argv = ["exercise"]
    if config.get("uid") is not None:  # the `uid` level: grading as root, without namespaces
        os.setgroups([])
        os.setresgid(int(config["gid"]), int(config["gid"]), int(config["gid"]))
        os.setresuid(int(config["uid"]), int(config["uid"]), int(config["uid"]))
    if config.get("level") != "namespaces":  # (in namespaces the init has done this for all its children)
        try:
            jail.prctl(jail.PR_SET_NO_NEW_PRIVS, 1)
            jail.forbid_keyrings()
        except OSError:
            pass
    try:  # if the machine runs out of memory, the kernel kills submitted code first
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as handle:
            handle.write("1000")
    except OSError:
        pass
    _hard_limit(resource.RLIMIT_CORE, 0)
    _hard_limit(resource.RLIMIT_FSIZE, int(config.get("max_file_bytes", 16 * 2**20)))
    _hard_limit(resource.RLIMIT_CPU, int(config.get("max_cpu_seconds", 120)))
    _hard_limit(resource.RLIMIT_NOFILE, int(config.get("max_open_files", 64)))
    if config.get("max_processes"):  # counts every process of the uid: only for a uid of our own
        _hard_limit(resource.RLIMIT_NPROC, int(config["max_processes"]))
    memory = config.get("max_memory_bytes")
    if memory:
        _hard_limit(resource.RLIMIT_AS, _vm_bytes() + int(memory))
    worker.Worker(sock, folder, config.get("support")).serve()


def _init_loop(sock, config, folder):
    """The submission's init: fork a worker per ``spawn``, kill one on ``kill``, until the grader hangs up."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers and orphans are reaped automatically
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, signal.SIG_IGN)
    workers = []
    while True:
        try:
            request = libraries.codec.receive(sock, limit=libraries.codec.MAX_REQUEST_BYTES)
        except (EOFError, OSError, libraries.codec.ProtocolError):
            break
        if request.get("op") == "kill":
            pid = request.get("pid")
            if pid in workers:
                _kill_group(pid)
            continue
        if request.get("op") in ("freeze", "thaw"):
            done = config.get("level") == "namespaces" and (_freeze() if request["op"] == "freeze" else _thaw())
            try:
                libraries.codec.send(sock, {"ok": bool(done)})
            except OSError:
                break
            continue
        if request.get("op") != "spawn":
            break
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                sock.close()
                parent_end.close()
                _become_worker(child_end, config, folder)
            finally:
                os._exit(0)
        workers.append(pid)
        child_end.close()
        try:
            socket.send_fds(sock, [b"W"], [parent_end.fileno()])
            libraries.codec.send(sock, {"ok": True, "pid": pid})
        except OSError:
            break
        finally:
            parent_end.close()
    for pid in workers:  # (in a PID namespace the kernel does this anyway when init exits)
        _kill_group(pid)
    os._exit(0)


FREEZE_SECONDS = 0.2  # how long the init tries to see every process of its namespace stopped


def _stopped_all() -> bool:
    """Whether every process of this PID namespace but its init (us) is stopped or gone (its own /proc)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry == "1":
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # gone meanwhile
        if state not in (b"T", b"t", b"Z", b"X"):
            return False
    return True


def _freeze() -> bool:
    """PID 1 of a submission's namespace: stop every other process in it (SIGSTOP cannot be caught, blocked or
    ignored; a process forked meanwhile gets it too, and the check below sees any that did not); True
    once all are seen stopped. The grader freezes an exercise file's processes between its public and
    its hidden checks, while other files are checked, instead of starting new ones (``session.Session``)."""
    deadline = time.monotonic() + FREEZE_SECONDS
    while True:
        try:
            os.kill(-1, signal.SIGSTOP)
        except ProcessLookupError:  # nothing else is running
            return True
        except OSError:
            return False
        if _stopped_all():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)


def _thaw() -> bool:
    try:
        os.kill(-1, signal.SIGCONT)
    except ProcessLookupError:
        pass
    except OSError:
        return False
    return True


def _kill_group(pid):
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _open_submission(control, request, level, inits=()):
    """Fork the submission's init; send its socket and its pid (as the grader sees it) back; return the pid.

    ``inits``: the zygote's pidfds of earlier inits, closed in the new one (no submission holds a handle
    on another's processes)."""
    libraries.preload(request.get("preload"))

    config = dict(request.get("limits", {}))
    config["support"] = request.get("support")
    files = {
        name: base64.b64decode(data)
        for name, data in request.get("files", {}).items()
        if isinstance(name, str) and "/" not in name and name.endswith(".py")
    }
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid_r, pid_w = os.pipe()
    leader = os.fork()
    if leader == 0:
        try:
            control.close()
            for fd in inits:
                os.close(fd)
            parent_end.close()
            os.close(pid_r)
            if level == "namespaces":
                jail.new_submission_namespaces()
                ready_r, ready_w = os.pipe()
                init = os.fork()
                if init:  # the leader reports the init's pid once it is set up, and leaves
                    os.close(ready_w)
                    if os.read(ready_r, 1) == b"R":
                        os.write(pid_w, str(init).encode())
                    os._exit(0)
                os.close(pid_w)
                os.close(ready_r)
                jail.setup_submission(
                    files,
                    WORK,
                    work_bytes=int(config.get("work_bytes", 8 * 2**20)),
                    tmp_bytes=int(config.get("tmp_bytes", 64 * 2**20)),
                    shm_bytes=int(config.get("shm_bytes", 16 * 2**20)),
                )
                os.write(ready_w, b"R")
                os.close(ready_w)
                folder = WORK
            else:
                os.setsid()
                os.write(pid_w, str(os.getpid()).encode())
                os.close(pid_w)
                folder = request["folder"]
            _init_loop(child_end, config, folder)
        except BaseException:  # noqa: BLE001 - tell the grader through the closed socket
            traceback.print_exc()
        finally:
            os._exit(1)
    child_end.close()
    os.close(pid_w)
    with os.fdopen(pid_r, "rb") as pipe:
        raw = pipe.read(32)
    if not raw:
        parent_end.close()
        libraries.codec.send(control, {"ok": False, "error": "the submission's sandbox could not be set up"})
        return None
    socket.send_fds(control, [b"S"], [parent_end.fileno()])
    libraries.codec.send(control, {"ok": True, "pid": int(raw)})
    parent_end.close()
    return int(raw)


def _track(inits, pid):
    """Keep a pidfd of a new init (``inits``: pidfd per init), and drop those of inits that have ended.

    Through a pidfd a kill reaches that process or none: a bare pid, once its init has ended and been
    reaped, may already name someone else's process.
    """
    if inits:
        poller = select.poll()
        for fd in inits:
            poller.register(fd, select.POLLIN)  # a pidfd is readable once its process has ended
        for fd, _ in poller.poll(0):
            inits.discard(fd)
            os.close(fd)
    if pid is not None:
        try:
            inits.add(os.pidfd_open(pid))
        except OSError:  # already gone
            pass


def _end(inits):
    """The grader is done: kill every init still alive and wait until each of our children is gone.

    Inits are our children (a leader's orphan comes to us, the subreaper) and are reaped as they die
    (SIGCHLD ignored); waiting here means none outlives us, to be re-parented to the host's PID 1 and
    left for it to reap. The grader kills us anyway if this takes long (``processes.Zygote.close``).
    """
    for fd in inits:
        try:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        except OSError:
            pass
    while True:
        try:
            os.wait()  # with SIGCHLD ignored: returns (ECHILD) once every child has ended
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    os._exit(0)


def _reap_uid(uid, keep=()):
    """At the `uid` level: kill every process of the sandbox's uid (double-forked daemons too), then remove
    what it left in the shared temporary folders and its System V IPC objects (see ``leftovers``).

    The helper's end is read from a pipe, not waited for: with SIGCHLD ignored the kernel reaps it, and
    ``waitpid`` then fails (ECHILD) where it should return.
    """
    done_r, done_w = os.pipe()
    helper = os.fork()
    if helper == 0:
        try:
            os.close(done_r)
            os.setgroups([])
            os.setresuid(uid, uid, uid)
            for _ in range(3):  # a process forking while we kill: go again
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
            leftovers.sweep(uid, keep=[path for path in keep if isinstance(path, str)])
        finally:
            os._exit(0)
    os.close(done_w)
    try:
        os.read(done_r, 1)  # b"" once the helper has exited (its end of the pipe closed)
    finally:
        os.close(done_r)


def _isolate(control, setup):
    """Enter the namespaces when asked; answer what was achieved (the grader falls back on failure)."""
    global WORK
    WORK = setup.get("work", WORK)
    if setup.get("level") != "namespaces":
        return setup.get("level", "none")
    try:
        jail.enter(
            [tuple(pair) for pair in setup["binds"]],
            int(setup["outside_uid"]),
            int(setup["outside_gid"]),
            files=setup.get("files", []),
            devices=setup.get("devices", []),
            links=[tuple(pair) for pair in setup.get("links", [])],
            work=setup.get("work", WORK),
            masks=setup.get("masks", []),
        )
    except (jail.JailError, OSError) as exc:
        _send_json(control, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        os._exit(0)
    sys.path[:] = [entry for entry in setup.get("sys_path", sys.path) if entry]
    if _HERE not in sys.path:
        sys.path.insert(0, _HERE)
    return "namespaces"


def _send_json(sock, message):
    payload = json.dumps(message).encode()
    sock.sendall(len(payload).to_bytes(4, "big") + payload)


def _receive_setup(control):
    header = b""
    while len(header) < 4:
        chunk = control.recv(4 - len(header))
        if not chunk:
            os._exit(0)
        header += chunk
    length = int.from_bytes(header, "big")
    body = b""
    while len(body) < length:
        chunk = control.recv(min(1 << 20, length - len(body)))
        if not chunk:
            os._exit(0)
        body += chunk
    return json.loads(body)


def main():
    control = socket.socket(fileno=int(sys.argv[1]))
    setup = _receive_setup(control)
    libraries.read_sources()
    level = _isolate(control, setup)
    libraries.load(setup.get("flavour", "torch"))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # leaders and inits are reaped automatically
    try:  # orphaned inits come back to us (and are reaped), not to a host PID 1 that may never reap
        jail.prctl(jail.PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    if level == "namespaces":
        try:  # nothing of the submission can ptrace the zygote or read its memory
            jail.prctl(jail.PR_SET_DUMPABLE, 0)
        except OSError:
            pass
    libraries.codec.send(control, {"ok": True, "ready": True, "pid": os.getpid(), "level": level})
    inits = set()  # a pidfd per init (see _track)
    # once the first open's imports are done, the zygote's memory moves onto huge pages, a step whenever no
    # request waits (see hugepages)
    idle_work = None
    while True:
        while (
            idle_work is not None and not select.select([control], [], [], 0)[0] and next(idle_work, None) is not None
        ):
            pass  # (a request that waits is answered before the next step)
        try:
            request = libraries.codec.receive(control, limit=libraries.codec.MAX_REQUEST_BYTES)
        except (EOFError, OSError, libraries.codec.ProtocolError):
            _end(inits)
        op = request.get("op")
        if op == "open":
            _track(inits, _open_submission(control, request, level, inits))
            # what the course's exercises will need (their PRELOAD), loaded right after the first submission's
            # first file is started (later: nothing left to import): it runs while the grader checks that
            # file, and is there for the next file that needs it (an exercise that does is never forked
            # without it: its open request names it too)
            libraries.preload(setup.get("preload"))
            if idle_work is None and setup.get("huge_pages", True):  # (once: an exhausted generator stays so)
                idle_work = hugepages.collapse_steps()
        elif op == "reap" and level == "uid":
            keep = request.get("keep")
            _reap_uid(int(request["uid"]), keep if isinstance(keep, list) else ())
            libraries.codec.send(control, {"ok": True})
        else:
            libraries.codec.send(control, {"ok": False})


if __name__ == "__main__":
    main()
