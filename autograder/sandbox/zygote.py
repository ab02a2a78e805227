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

A worker keeps the first lines of what the learner's code prints during each
request (``OutputCapture``, a small buffer behind ``sys.stdout``/``sys.stderr``) and
sends them with the answer; a thread of its own (``Watchdog``) sends where the
code is running shortly before the grader's time limit. Both are plain data,
bounded again and made printable by the grader (``output.Printed``,
``output.stopped_at``), which enforces the time limit by itself.

Only plain data leaves a worker (see ``codec``). This file never imports the
grader package: the sandbox needs nothing from it but ``codec`` and ``jail``,
and, for an exercise that has them, the trusted helpers of
``checks/in_sandbox/<exercise>.py`` (diagnostics run next to the learner's
code, test functions passed by name), whose source arrives with the ``open``
request and is run in each worker before the learner's module is imported.
"""

import importlib
import io
import json
import os
import random
import select
import signal
import socket
import sys
import threading
import time
import traceback
import types
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)  # python -I puts neither the script's folder nor the cwd on sys.path

try:
    import resource
except ImportError:  # Windows: its spawned workers are limited by a Job Object instead (see spawned.py)
    resource = None
import hugepages  # noqa: E402 - standard library only

try:
    import jail  # noqa: E402 - standard library only
except (ImportError, AttributeError, OSError):  # not Linux: only spawned workers run there (spawned.py)
    jail = None
import leftovers  # noqa: E402 - standard library only

WORK = "/submission"  # the submission's folder inside the namespaces (the grader may choose another)

MAX_TRACEBACK = 3000
# What the learner's code printed during one request: the first lines only, counted beyond that (the grader
# bounds it again: this copy of the limits is the learner's to change).
MAX_PRINTED_LINES = 10
MAX_PRINTED_CHARS = 2000
MAX_WHERE_FRAMES = 4  # frames of the learner's file(s) sent when a request is about to time out
MAX_WARNINGS = 4  # warnings kept per request (those raised at a line of the learner's file; see Worker._keep_warning)


np = torch = codec = None  # imported by _load_libraries, after isolation


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


class _NumpyOnly:
    """A meta path finder that refuses torch in the NumPy-only sandbox (first in line)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchgen", "functorch"):
            raise ModuleNotFoundError(
                f"No module named {name!r}: this exercise is NumPy only (torch cannot be imported here)", name=name
            )
        return None


def _load_libraries(flavour):
    global np, torch, codec
    import secrets  # noqa: F401 - needed by numpy.random's generators

    import numpy
    import numpy.linalg  # noqa: F401 - loaded now, before a worker may lose the right to read the library files
    import numpy.random  # noqa: F401

    np = numpy
    if flavour == "torch":
        import torch as torch_module
        import torch.nn.functional  # noqa: F401

        torch = torch_module
        _defer_dynamo(torch_module)
    else:
        sys.meta_path.insert(0, _NumpyOnly)
    codec = _module_from_source("codec")


def _defer_dynamo(torch_module):
    """Put off importing ``torch._dynamo`` (the compiler: 1.3 s, as long as torch itself) until it is used.

    Eager code meets it in ``torch.optim`` only: an optimizer's ``__init__``, ``step`` and ``zero_grad``
    import it to call ``torch._dynamo.disable(fn)`` and ``torch._dynamo.graph_break()``, which outside a
    ``torch.compile`` change nothing (``disable`` switches off a compiler that is not running). Until
    something asks for anything else, ``sys.modules["torch._dynamo"]`` is a stand-in that answers those
    two as eager mode does; any other name (``torch.compile``, a submodule) imports the real package in
    its place and is answered from it. Tests: tests/test_untrusted_worker.py (an optimizer's run in the
    sandbox equals the grader's, bit for bit, without the compiler; ``torch._dynamo.config`` still works).
    """
    name = "torch._dynamo"
    if name in sys.modules:
        return
    stand_in = types.ModuleType(name, "torch._dynamo, not imported yet (see zygote._defer_dynamo)")

    def disable(fn=None, recursive=True, *, reason=None, wrapping=True):
        return fn if fn is not None else (lambda inner: inner)

    def graph_break(msg=""):
        return None

    def real(attribute):
        if attribute.startswith("__") and attribute != "__path__":  # (tools that look over sys.modules)
            raise AttributeError(attribute)
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        try:
            module = importlib.import_module(name)
        except BaseException:  # (not importable here): the stand-in goes on serving what eager code needs
            sys.modules.setdefault(name, stand_in)
            raise
        torch_module._dynamo = module
        return getattr(module, attribute)

    stand_in.disable, stand_in.graph_break, stand_in.__getattr__ = disable, graph_break, real
    sys.modules[name] = stand_in
    torch_module._dynamo = stand_in


_SOURCES = {}


def _read_sources():
    """Read our own helper modules now: after isolation their files may not be readable any more."""
    for name in ("codec",):
        path = os.path.join(_HERE, f"{name}.py")
        with open(path, encoding="utf-8") as handle:
            _SOURCES[name] = (path, handle.read())


def _module_from_source(name):
    path, source = _SOURCES[name]
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - the kit's own file, read above
    return module


def _in_folder(filename, folder):
    """Whether code from ``filename`` is the learner's: a file in the submission's folder. Python's own frozen
    modules are named ``<frozen importlib._bootstrap>``, which a relative path would place in the folder (the
    worker's current directory)."""
    return os.path.isabs(filename) and os.path.realpath(filename).startswith(folder + os.sep)


def _support_module(support):
    """The exercise's trusted helpers (``checks/in_sandbox/<exercise>.py``), from the source the grader sent.

    Run before any of the learner's code, and never put in ``sys.modules``
    (the learner's module cannot import it by name).
    """
    module = types.ModuleType("in_sandbox")
    if isinstance(support, dict) and isinstance(support.get("source"), str):
        path = str(support.get("path") or "in_sandbox.py")
        module.__file__ = path
        exec(compile(support["source"], path, "exec"), module.__dict__)  # noqa: S102 - the kit's own file
    return module


class _Head(io.RawIOBase):
    """The end of the worker's ``sys.stdout``: keeps the first bytes written, counts the newlines of all."""

    def __init__(self):
        super().__init__()
        self.start()

    def start(self):
        self.head, self.newlines, self.last = bytearray(), 0, b""

    def writable(self):
        return True

    def fileno(self):  # what code that writes to the descriptor itself gets: /dev/null, as before
        return 1

    def write(self, data):
        view = memoryview(data).cast("B")
        size = len(view)
        for start in range(0, size, 1 << 20):  # counted a slice at a time: a huge write is never copied whole
            self.newlines += bytes(view[start : start + (1 << 20)]).count(b"\n")
        if size:
            self.last = bytes(view[-1:])
        room = 4 * MAX_PRINTED_CHARS - len(self.head)  # (UTF-8: at most 4 bytes a character)
        if room > 0:
            self.head += view[:room]
        return size


class OutputCapture:
    """``sys.stdout`` and ``sys.stderr`` of a worker, and what the learner's code printed during one request.

    ``stream`` is an ordinary text stream (``print``, ``.write``, ``.buffer``, ``.flush`` work as on a
    terminal, at the speed of writing to /dev/null) whose buffer ends in :class:`_Head`, which keeps the
    first bytes only: no pipe, no file, nothing that grows. :meth:`take` gives what one request printed
    as plain data. (Output written to file descriptors 1 and 2 directly, by C code or ``os.write``, still
    goes to /dev/null.)
    """

    def __init__(self):
        self._head = _Head()
        self.stream = None
        self.start()

    def start(self):
        """Begin a request: an empty head, and a working stream (the learner's code may have closed it)."""
        if self.stream is None or self.stream.closed:
            self.stream = io.TextIOWrapper(io.BufferedWriter(self._head, 8192), encoding="utf-8", errors="strict")
        else:
            self._flush()
        self._head.start()

    def _flush(self):
        try:
            self.stream.flush()
        except Exception:  # noqa: BLE001 - a stream the learner's code broke: what reached the head counts
            pass

    def snapshot(self):
        """What was printed since :meth:`start` (None if nothing): the first lines, the number of lines in all."""
        self._flush()
        head = self._head
        if not head.head:
            return None
        lines = bytes(head.head).decode("utf-8", errors="replace")[:MAX_PRINTED_CHARS].split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        total = head.newlines + (0 if head.last == b"\n" else 1)
        cut = len(head.head) >= 4 * MAX_PRINTED_CHARS or sum(len(line) + 1 for line in lines) > MAX_PRINTED_CHARS
        return {
            "text": "\n".join(lines[:MAX_PRINTED_LINES]),
            "lines": total,
            "cut": cut and len(lines) <= MAX_PRINTED_LINES,
        }

    def take(self):
        printed = self.snapshot()
        self._head.start()
        return printed


class Watchdog:
    """Says where the learner's code is just before the grader stops it: a thread of the worker.

    :meth:`arm` before a request with the time after which the grader's limit is close; if the request is
    still running then, the thread reads the main thread's stack (``sys._current_frames``), keeps the
    frames of the learner's file(s) and sends them, with what was printed so far, as one message
    ``{"where": [...], "printed": ...}`` ahead of the answer. :meth:`disarm` when the request is done. The
    notice is never sent after its request's answer (both are sent under ``send_lock``, and a disarmed
    watchdog sends nothing). This is a courtesy only: the grader's hard limit does not depend on it, and
    code that holds the GIL, stops this thread or forges the notice only loses the location.
    """

    def __init__(self, worker):
        self.worker = worker
        self.main = threading.get_ident()
        self.send_lock = threading.Lock()
        self._wake = threading.Condition()
        self._due = None  # time.monotonic() after which to report, while a request is running
        self._idle = False  # the thread waits without a timeout
        self._until = 0.0  # or until this time (an earlier request's due time)
        self._serial = 0  # which request is running (a report for an earlier one is never sent)
        self._own = {}  # filename -> whether it is one of the learner's files
        old = threading.stack_size()
        try:
            threading.stack_size(512 * 1024)
            threading.Thread(target=self._run, name="watchdog", daemon=True).start()
        except (RuntimeError, ValueError):  # no thread (a process limit): no location, nothing else changes
            pass
        finally:
            threading.stack_size(old)

    def arm(self, seconds):
        with self._wake:
            self._serial += 1
            self._due = time.monotonic() + seconds if isinstance(seconds, (int, float)) and seconds >= 0 else None
            if self._due is not None and (self._idle or self._due < self._until):
                # a thread that waits with a timeout wakes at an earlier request's due time and waits again;
                # it is woken only when this request is due sooner (requests have limits of their own: an
                # import's is longer than a small call's), not for every request (a thread switch each)
                self._wake.notify()

    def disarm(self):
        with self._wake:
            self._serial += 1
            self._due = None

    def _run(self):
        while True:
            with self._wake:
                while self._due is None or time.monotonic() < self._due:
                    self._idle = self._due is None
                    self._until = 0.0 if self._due is None else self._due
                    self._wake.wait(None if self._due is None else max(0.0, self._due - time.monotonic()))
                serial, self._due, self._idle = self._serial, None, False
            try:
                notice = {"where": self.where(), "printed": self.worker.printed.snapshot()}
                with self.send_lock:
                    if serial == self._serial:
                        codec.send(self.worker.sock, notice)
            except Exception:  # noqa: BLE001 - whatever the learner's code broke: no location
                pass

    def where(self):
        """The innermost frames of the main thread's stack that belong to the learner's file(s), outermost first."""
        frame = sys._current_frames().get(self.main)
        frames, walked = [], 0
        while frame is not None and len(frames) < MAX_WHERE_FRAMES and walked < 5000:
            name = frame.f_code.co_filename
            if name not in self._own:
                self._own[name] = _in_folder(name, self.worker.folder)
            if self._own[name]:
                frames.append(
                    {"file": os.path.basename(name), "line": frame.f_lineno, "function": frame.f_code.co_name}
                )
            frame, walked = frame.f_back, walked + 1
        return frames[::-1]


class Worker:
    def __init__(self, sock, folder, support=None):
        # torch's and NumPy's own warnings (a .grad read on a non-leaf, an overflow in exp) are not what the
        # learner's code printed: they would read as its output in the report, with the sandbox's file paths.
        # They are kept apart instead (those raised at a line of the learner's file, a few per request), and
        # the grader may name one as the cause of a check that failed (explain.warned)
        self.warned = []
        warnings.showwarning = self._keep_warning
        warnings.simplefilter("default")
        self.sock = sock
        self.folder = os.path.realpath(folder)
        self.modules = {}
        self.support = _support_module(support)
        self.functions = getattr(self.support, "FUNCTIONS", {})
        self.probes = getattr(self.support, "PROBES", {})
        self.printed = OutputCapture()
        self.watchdog = Watchdog(self)

    # -- helpers --------------------------------------------------------
    def _seed(self, seed):
        seed = int(seed) % (2**32)
        random.seed(seed)
        np.random.seed(seed)
        if torch is not None:
            # the CPU generator only: torch.manual_seed also queues a lazy seeding of the CUDA, XPU and MTIA
            # generators, each with a formatted stack, on lists that grow by three entries every request
            # (half a millisecond a call, memory without end); the sandbox has no other device
            torch.random.default_generator.manual_seed(seed)

    def _keep_warning(self, message, category, filename, lineno, file=None, line=None):
        """``warnings.showwarning``: keep a warning raised at a line of the learner's file; print nothing."""
        try:
            if len(self.warned) >= MAX_WARNINGS or not _in_folder(filename, self.folder):
                return
            self.warned.append(
                {
                    "category": str(getattr(category, "__name__", ""))[:40],
                    "message": str(message)[:200],
                    "file": os.path.basename(filename),
                    "line": int(lineno),
                }
            )
        except Exception:  # noqa: BLE001 - a warning is never worth an error
            pass

    def _student_frames(self, exc):
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if _in_folder(frame.filename, self.folder)]
        lines = []
        for frame in frames[-6:]:
            name = os.path.basename(frame.filename)
            lines.append(f'  File "{name}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
        return "\n".join(lines)[-MAX_TRACEBACK:]

    def _error(self, exc):
        kind = "exception"
        if isinstance(exc, NotImplementedError):
            kind = "not_implemented"
        elif isinstance(exc, SystemExit):
            kind = "exit"
        detail = {
            "kind": kind,
            "type": type(exc).__name__,
            "message": str(exc)[: codec.MAX_STR],
            "traceback": self._student_frames(exc),
        }
        if isinstance(exc, SyntaxError):
            detail["kind"] = "syntax"
            detail["file"] = os.path.basename(exc.filename or "")
            detail["line"] = exc.lineno
            detail["text"] = (exc.text or "").rstrip()[:300]
            detail["message"] = str(exc.msg)
        return {"ok": False, "error": detail}

    def _module(self, name):
        if name not in self.modules:
            self.modules[name] = importlib.import_module(name)
        return self.modules[name]

    # -- requests -------------------------------------------------------
    def handle(self, request):
        op = request.get("op")
        self._seed(request.get("seed", 0))
        if op == "import":
            self._module(request["module"])
            return {"ok": True}
        if op == "call":
            module = self._module(request["module"])
            function = getattr(module, request["function"], None)
            if not callable(function):
                return {
                    "ok": False,
                    "error": {
                        "kind": "missing_function",
                        "type": "AttributeError",
                        "message": request["function"],
                        "traceback": "",
                    },
                }
            args = [codec.decode(a, self.functions, make_tensors=True) for a in request.get("args", [])]
            kwargs = {
                k: codec.decode(v, self.functions, make_tensors=True) for k, v in request.get("kwargs", {}).items()
            }
            # the objects passed in, kept so we can report on *them* afterwards even if
            # the code rebinds names or replaces the items of a list argument
            originals = [list(a) if isinstance(a, list) else a for a in args]
            kept = dict(kwargs)  # (the objects themselves: a list changed in place shows in its fingerprint)
            result = function(*args, **kwargs)
            if isinstance(result, types.GeneratorType):
                encoded = self._consume(result)
            else:
                encoded = codec.encode(result)
            answer = {"ok": True, "result": encoded}
            if request.get("return_args"):
                answer["args"] = [codec.encode(a) for a in originals]
            if request.get("fingerprints"):  # what the arguments hold now (the grader compares, see Session.call)
                answer["fingerprints"] = {
                    "args": [codec.fingerprint(codec.encode(a, with_grad=False)) for a in args],
                    "kwargs": {k: codec.fingerprint(codec.encode(v, with_grad=False)) for k, v in kept.items()},
                }
            return answer
        if op == "probe":
            module = self._module(request["module"])
            args = [codec.decode(a, make_tensors=True) for a in request.get("args", [])]
            probe = self.probes.get(request.get("name"))
            if probe is None:
                return {
                    "ok": False,
                    "error": {
                        "kind": "protocol",
                        "type": "",
                        "traceback": "",
                        "message": f"no probe {str(request.get('name'))[:80]!r}",
                    },
                }
            answer = {"ok": True, "result": codec.encode(probe(module, *args))}
            if request.get("fingerprints"):  # what the arguments hold now (see Session.probe)
                answer["fingerprints"] = {
                    "args": [codec.fingerprint(codec.encode(a, with_grad=False)) for a in args],
                    "kwargs": {},
                }
            return answer
        return {
            "ok": False,
            "error": {"kind": "protocol", "type": "", "message": f"unknown op {op!r}", "traceback": ""},
        }

    def _consume(self, iterable):
        items, truncated = [], False
        for index, item in enumerate(iterable):
            if index >= codec.MAX_ITEMS:
                truncated = True
                break
            items.append(codec.encode(item))
        return {"t": "generated", "items": items, "truncated": truncated}

    def serve(self):
        while True:
            try:
                request = codec.receive(self.sock, limit=codec.MAX_REQUEST_BYTES)
            except (EOFError, OSError, codec.ProtocolError):
                os._exit(0)
            # everything the learner's code prints during this request is kept (bounded), and so is the
            # location where it runs when the grader's limit comes near (see Watchdog)
            self.printed.start()
            sys.stdout = sys.stderr = self.printed.stream
            # each request's warnings anew: "default" shows a warning once per line, until the filters change
            self.warned = []
            warnings.showwarning = self._keep_warning
            warnings.simplefilter("default")
            self.watchdog.arm(request.get("where_after"))
            try:
                answer = self.handle(request)
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                answer = self._error(exc)
            self.watchdog.disarm()
            printed = self.printed.take()
            if printed:
                answer["printed"] = printed
            if self.warned:
                answer["warned"] = self.warned
            try:
                with self.watchdog.send_lock:
                    try:
                        codec.send(self.sock, answer)
                    except (ValueError, TypeError) as exc:
                        codec.send(
                            self.sock,
                            {
                                "ok": False,
                                "error": {
                                    "kind": "unreadable",
                                    "type": type(exc).__name__,
                                    "message": str(exc)[:300],
                                    "traceback": "",
                                },
                                "printed": printed,
                            },
                        )
            except OSError:
                os._exit(0)


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
    Worker(sock, folder, config.get("support")).serve()


def _init_loop(sock, config, folder):
    """The submission's init: fork a worker per ``spawn``, kill one on ``kill``, until the grader hangs up."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers and orphans are reaped automatically
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, signal.SIG_IGN)
    workers = []
    while True:
        try:
            request = codec.receive(sock, limit=codec.MAX_REQUEST_BYTES)
        except (EOFError, OSError, codec.ProtocolError):
            break
        if request.get("op") == "kill":
            pid = request.get("pid")
            if pid in workers:
                _kill_group(pid)
            continue
        if request.get("op") in ("freeze", "thaw"):
            done = config.get("level") == "namespaces" and (_freeze() if request["op"] == "freeze" else _thaw())
            try:
                codec.send(sock, {"ok": bool(done)})
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
            codec.send(sock, {"ok": True, "pid": pid})
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


def _preload(names):
    """Import library modules the exercise's code will need, once, in the zygote (before any fork).

    A module imported here is inherited by every worker; imported in a worker
    it would be imported again for every submission (``torch.optim``'s first
    step imports ``torch._dynamo``, hundreds of modules). Only names the grader
    sends; a name that cannot be imported is skipped (the learner's code then
    meets the same error itself).
    """
    import tempfile

    if tempfile.tempdir is None:
        # the zygote's root is read-only; each submission gets its own writable /tmp, and a library
        # that asks for the temporary directory at import (torch._dynamo does) must get that one
        tempfile.tempdir = "/tmp"
    for name in names if isinstance(names, list) else ():
        if isinstance(name, str) and name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the learner's code meets the same error; the zygote's log keeps it
                traceback.print_exc()


def _open_submission(control, request, level, inits=()):
    """Fork the submission's init; send its socket and its pid (as the grader sees it) back; return the pid.

    ``inits``: the zygote's pidfds of earlier inits, closed in the new one (no submission holds a handle
    on another's processes)."""
    import base64

    _preload(request.get("preload"))

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
        codec.send(control, {"ok": False, "error": "the submission's sandbox could not be set up"})
        return None
    socket.send_fds(control, [b"S"], [parent_end.fileno()])
    codec.send(control, {"ok": True, "pid": int(raw)})
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
    _read_sources()
    level = _isolate(control, setup)
    _load_libraries(setup.get("flavour", "torch"))
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
    codec.send(control, {"ok": True, "ready": True, "pid": os.getpid(), "level": level})
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
            request = codec.receive(control, limit=codec.MAX_REQUEST_BYTES)
        except (EOFError, OSError, codec.ProtocolError):
            _end(inits)
        op = request.get("op")
        if op == "open":
            _track(inits, _open_submission(control, request, level, inits))
            # what the course's exercises will need (their PRELOAD), loaded right after the first submission's
            # first file is started (later: nothing left to import): it runs while the grader checks that
            # file, and is there for the next file that needs it (an exercise that does is never forked
            # without it: its open request names it too)
            _preload(setup.get("preload"))
            if idle_work is None and setup.get("huge_pages", True):  # (once: an exhausted generator stays so)
                idle_work = hugepages.collapse_steps()
        elif op == "reap" and level == "uid":
            keep = request.get("keep")
            _reap_uid(int(request["uid"]), keep if isinstance(keep, list) else ())
            codec.send(control, {"ok": True})
        else:
            codec.send(control, {"ok": False})


if __name__ == "__main__":
    main()
