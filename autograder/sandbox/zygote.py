"""The sandbox process: run as ``python -I zygote.py <fd>`` by the grader.

It imports NumPy and torch once (without running a torch operation, so
forking stays safe and cheap), then waits on the socket ``<fd>``. For every
``spawn`` request it forks a *worker*: a fresh process in its own session,
working in a folder that holds only the learner's exercise files, with
stdin/stdout/stderr sent to /dev/null and resource limits set. The worker's
end of a new socket pair goes back to the grader with ``SCM_RIGHTS``; from
then on the grader talks to the worker directly, one JSON request at a time.

Only plain data leaves a worker (see ``codec``). This file never imports the
grader package: the sandbox needs nothing from it but these few modules.
"""

import importlib
import os
import random
import resource
import signal
import socket
import sys
import traceback
import types

import numpy as np
import numpy.linalg  # noqa: F401 - loaded now, before a worker may lose the right to read the library files
import numpy.random  # noqa: F401
import secrets  # noqa: F401 - needed by numpy.random's generators
import torch  # noqa: F401 - imported once here so that every worker starts warm
import torch.nn.functional  # noqa: F401

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)  # python -I puts neither the script's folder nor the cwd on sys.path

import codec  # noqa: E402
import probes  # noqa: E402
import testfns  # noqa: E402

MAX_TRACEBACK = 3000


def _limit(kind, value):
    if value is None:
        return
    try:
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, hard))
    except (ValueError, OSError):
        pass


def _vm_bytes():
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


class Worker:
    def __init__(self, sock, folder):
        self.sock = sock
        self.folder = os.path.realpath(folder)
        self.modules = {}

    # -- helpers --------------------------------------------------------
    def _seed(self, seed):
        seed = int(seed) % (2**32)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)

    def _student_frames(self, exc):
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
                  if os.path.realpath(frame.filename).startswith(self.folder + os.sep)]
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
        elif isinstance(exc, RecursionError):
            kind = "exception"
        detail = {"kind": kind, "type": type(exc).__name__, "message": str(exc)[:codec.MAX_STR],
                  "traceback": self._student_frames(exc)}
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
                return {"ok": False, "error": {"kind": "missing_function", "type": "AttributeError",
                                                "message": request["function"], "traceback": ""}}
            args = [codec.decode(a, testfns.FUNCTIONS, make_tensors=True) for a in request.get("args", [])]
            kwargs = {k: codec.decode(v, testfns.FUNCTIONS, make_tensors=True)
                      for k, v in request.get("kwargs", {}).items()}
            # the objects passed in, kept so we can report on *them* afterwards even if
            # the code rebinds names or replaces the items of a list argument
            originals = [list(a) if isinstance(a, list) else a for a in args]
            result = function(*args, **kwargs)
            if isinstance(result, types.GeneratorType):
                encoded = self._consume(result)
            else:
                encoded = codec.encode(result)
            answer = {"ok": True, "result": encoded}
            backward = request.get("backward")
            if backward is not None:
                answer["grads"] = self._backward(result, args, backward)
            if request.get("return_args"):
                answer["args"] = [codec.encode(a) for a in originals]
            return answer
        if op == "probe":
            module = self._module(request["module"])
            args = [codec.decode(a, make_tensors=True) for a in request.get("args", [])]
            return {"ok": True, "result": codec.encode(probes.PROBES[request["name"]](module, *args))}
        return {"ok": False, "error": {"kind": "protocol", "type": "", "message": f"unknown op {op!r}", "traceback": ""}}

    def _consume(self, iterable):
        items, truncated = [], False
        for index, item in enumerate(iterable):
            if index >= codec.MAX_ITEMS:
                truncated = True
                break
            items.append(codec.encode(item))
        return {"t": "generated", "items": items, "truncated": truncated}

    def _backward(self, result, args, spec):
        """Backpropagate ``sum(result * upstream)`` and return the grads of the args."""
        if not isinstance(result, torch.Tensor) or not result.requires_grad:
            return {"t": "other", "type": "no-graph", "note": "the result is not connected to the inputs"}
        upstream = codec.decode(spec["upstream"], make_tensors=True)
        if tuple(result.shape) != tuple(upstream.shape):
            return {"t": "other", "type": "shape", "note": str(tuple(result.shape))}
        (result * upstream).sum().backward()
        return codec.encode([a.grad if isinstance(a, torch.Tensor) else None for a in args])

    def serve(self):
        while True:
            try:
                request = codec.receive(self.sock)
            except (EOFError, OSError, codec.ProtocolError):
                os._exit(0)
            try:
                answer = self.handle(request)
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                answer = self._error(exc)
            try:
                codec.send(self.sock, answer)
            except (ValueError, TypeError) as exc:
                codec.send(self.sock, {"ok": False, "error": {"kind": "unreadable", "type": type(exc).__name__,
                                                              "message": str(exc)[:300], "traceback": ""}})
            except OSError:
                os._exit(0)


def _become_worker(sock, request):
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, int(request.get("max_file_bytes", 64 * 2**20)))
    _limit(resource.RLIMIT_CPU, int(request.get("max_cpu_seconds", 600)))
    memory = request.get("max_memory_bytes")
    if memory:
        _limit(resource.RLIMIT_AS, _vm_bytes() + int(memory))
    folder = request["folder"]
    os.chdir(folder)
    sys.path[:] = [folder] + [entry for entry in sys.path if entry != _HERE]
    sys.argv = ["exercise"]
    if request.get("uid") is not None:  # drop privileges (used when grading as root)
        _limit(resource.RLIMIT_NPROC, 256)  # counts every process of that user: no fork bombs
        os.setgroups([])
        os.setgid(int(request["gid"]))
        os.setuid(int(request["uid"]))
    Worker(sock, folder).serve()


def main():
    control = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    codec.send(control, {"ok": True, "ready": True, "pid": os.getpid()})
    while True:
        try:
            request = codec.receive(control)
        except (EOFError, OSError, codec.ProtocolError):
            return
        if request.get("op") != "spawn":
            codec.send(control, {"ok": False})
            continue
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                parent_end.close()
                _become_worker(child_end, request)
            finally:
                os._exit(0)
        child_end.close()
        socket.send_fds(control, [b"W"], [parent_end.fileno()])
        codec.send(control, {"ok": True, "pid": pid})
        parent_end.close()


if __name__ == "__main__":
    main()
