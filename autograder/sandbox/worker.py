"""One worker: serves the grader's requests with the learner's code, one plain-data request at a time.

The same in a worker forked by a submission's init (``zygote``) and in a spawned one (``spawned_worker``):
:class:`Worker` imports the learner's module, calls its functions and the exercise's trusted probes with
arguments decoded by ``codec``, and answers with plain data; :class:`OutputCapture` keeps the first lines of
what the code prints, :class:`Watchdog` says where it runs shortly before the grader's time limit, and the
warnings raised at a line of the learner's file are kept apart. All of it is the learner's to change: the
grader bounds it again and makes it printable (``output``), and keeps the time limit by its own clock.

Run in the sandbox (imported by path), with the standard library only; NumPy, torch and ``codec`` are those
``libraries`` loaded.
"""

import importlib
import io
import os
import random
import sys
import threading
import time
import traceback
import types
import warnings

import libraries

MAX_TRACEBACK = 3000
# What the learner's code printed during one request: the first lines only, counted beyond that (the grader
# bounds it again: this copy of the limits is the learner's to change).
MAX_PRINTED_LINES = 10
MAX_PRINTED_CHARS = 2000
MAX_WHERE_FRAMES = 4  # frames of the learner's file(s) sent when a request is about to time out
MAX_WARNINGS = 4  # warnings kept per request (those raised at a line of the learner's file; see Worker._keep_warning)


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
        codec = libraries.codec  # (loaded after isolation: see libraries)
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
        libraries.np.random.seed(seed)
        if libraries.torch is not None:
            # the CPU generator only: torch.manual_seed also queues a lazy seeding of the CUDA, XPU and MTIA
            # generators, each with a formatted stack, on lists that grow by three entries every request
            # (half a millisecond a call, memory without end); the sandbox has no other device
            libraries.torch.random.default_generator.manual_seed(seed)

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
        codec = libraries.codec  # (loaded after isolation: see libraries)
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
        codec = libraries.codec  # (loaded after isolation: see libraries)
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
        """What a generator yields, up to ``codec.MAX_ITEMS`` items and ``codec.MAX_GENERATED_BYTES`` of them as
        JSON (the first item is kept whatever its size): one that goes on past either (a loop that never moves
        on) comes back ``truncated``, which the grader can name, rather than as an answer too large to read."""
        codec = libraries.codec  # (loaded after isolation: see libraries)
        items, truncated, size = [], False, 0
        for index, item in enumerate(iterable):
            if index >= codec.MAX_ITEMS:
                truncated = True
                break
            encoded = codec.encode(item)
            size += codec.json_size(encoded)
            if items and size > codec.MAX_GENERATED_BYTES:  # (one item alone is bounded by encode's own caps)
                truncated = True
                break
            items.append(encoded)
        return {"t": "generated", "items": items, "truncated": truncated}

    def serve(self):
        codec = libraries.codec  # (loaded after isolation: see libraries)
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
