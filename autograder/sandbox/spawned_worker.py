"""One spawned worker: run as ``python -I -X utf8 spawned_worker.py`` by ``spawned.SpawnSandbox``.

Where the machine has no ``fork`` (Windows), or no ``pidfd_open`` or ``/proc``
(macOS), every exercise file of a submission gets a fresh interpreter started
from this script instead of a worker forked from the zygote. It speaks the
same plain-data protocol (``codec``) and serves requests with the same
``worker.Worker``; only how it starts differs:

1. It reads ``<port> <token> <setup>`` from its standard input (the setup:
   flavour and library modules to preload), imports NumPy (and torch for the
   ``torch`` flavour; the ``numpy`` flavour refuses torch, as in the zygote),
   connects to the grader on the loopback interface and says hello with the
   token, then that it is ready (the grader accepts no other connection on
   that port, and closes it after). It may wait like this, warm, before a
   submission needs it.
3. ``open``: the submission's staged folder, its limits and the exercise's
   trusted helpers. The worker moves into the folder, sets every limit this
   platform offers (``resource`` limits where the module exists; on Windows
   the grader has put it in a Job Object), points file descriptors 0-2 at
   the null device, and serves the grader until the connection ends.

This file never imports the grader package (the same rule as the zygote's).
"""

import json
import os
import signal
import socket
import sys
import tempfile
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)  # python -I puts neither the script's folder nor the cwd on sys.path

import libraries  # noqa: E402 - the sandbox's own modules: library loading, the worker, its limits
import worker  # noqa: E402
import zygote  # noqa: E402

SETUP_LIMIT = 64 * 1024  # the grader's setup message (its "open" carries the trusted helpers: MAX_REQUEST_BYTES)


def _cpu_seconds_used() -> float:
    try:
        usage = zygote.resource.getrusage(zygote.resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    except (AttributeError, OSError):
        return 0.0


def apply_limits(config: dict) -> None:
    """The ``resource`` limits of a forked worker (soft = hard), where this platform has them.

    CPU time counts from the worker's start here (a forked worker starts at zero): the limit is the
    seconds spent loading the libraries plus ``max_cpu_seconds``. Address space is limited only where the
    process can read its own size (``/proc/self/statm``): on macOS the kernel does not enforce
    ``RLIMIT_AS``, and without ``/proc`` the size torch already maps is unknown.
    """
    resource = zygote.resource
    if resource is None:  # Windows: the Job Object set by the grader holds the limits
        return
    limit = zygote._hard_limit
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_FSIZE, int(config.get("max_file_bytes", 16 * 2**20)))
    limit(resource.RLIMIT_CPU, int(_cpu_seconds_used()) + 1 + int(config.get("max_cpu_seconds", 120)))
    limit(resource.RLIMIT_NOFILE, int(config.get("max_open_files", 64)))
    memory, mapped = config.get("max_memory_bytes"), zygote._vm_bytes()
    if memory and mapped and sys.platform.startswith("linux"):
        limit(resource.RLIMIT_AS, mapped + int(memory))


def _linux_extras() -> None:
    """What a forked worker gets on Linux below ``namespaces``: no new privileges, no keyrings, OOM-killed first."""
    jail = zygote.jail
    if jail is not None and sys.platform.startswith("linux"):
        try:
            jail.prctl(jail.PR_SET_NO_NEW_PRIVS, 1)
            jail.forbid_keyrings()
        except (OSError, AttributeError):
            pass
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as handle:
            handle.write("1000")
    except OSError:
        pass


def _quiet_std_fds() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def main() -> None:
    port, token, setup = sys.stdin.buffer.readline().decode("utf-8").split(" ", 2)
    setup = json.loads(setup)
    libraries.read_sources()
    tempfile.gettempdir()  # the private folder the grader named in TMPDIR/TEMP (libraries.preload assumes /tmp)
    libraries.load(setup.get("flavour", "torch"))
    libraries.preload(setup.get("preload"))
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    zygote._send_json(sock, {"token": token, "pid": os.getpid()})
    codec = libraries.codec
    codec.send(sock, {"ready": True})
    try:
        request = codec.receive(sock, limit=codec.MAX_REQUEST_BYTES)
    except (EOFError, OSError, codec.ProtocolError):
        os._exit(0)  # the grader closed the sandbox before a submission needed this worker
    if request.get("op") != "open":
        os._exit(0)
    config = dict(request.get("limits", {}))
    folder = os.fsdecode(bytes.fromhex(request["folder"]))  # the grader's bytes: its file-system encoding may differ
    os.chdir(folder)
    sys.path[:] = [folder] + [entry for entry in sys.path if entry != _HERE]
    sys.argv = ["exercise"]
    if hasattr(signal, "SIGPIPE"):  # as a forked worker: a write to a closed socket ends it
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    _quiet_std_fds()
    _linux_extras()
    apply_limits(config)
    worker.Worker(sock, folder, request.get("support")).serve()


if __name__ == "__main__":
    try:
        main()
    except BaseException:  # noqa: BLE001 - the grader shows this (its error output) if the worker never got ready
        traceback.print_exc()
    os._exit(1)
