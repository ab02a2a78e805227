"""One submission in the sandbox: :class:`Session` calls the learner's functions and brings back plain data.

Each exercise file runs in a worker of its own, in a stage (the file's public or hidden checks) with an init
of its own; the session starts them (ahead of time, in a thread, while the stage before is checked), freezes
a file's processes between its public and hidden checks, enforces every time limit with its own clock (per
request, and a budget per submission), makes the seeds, runs a shared call once for all the checks that ask,
and turns each answer into a value (:class:`CallResult`) or a ``StudentError``. What the learner's code
printed, where it was stopped and its warnings are kept per check, cleaned (``output``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import codec
from .errors import (
    ImportFailed,
    MissingFile,
    StudentCrash,
    StudentError,
    StudentException,
    StudentTimeout,
    Unreadable,
    error_from_detail,
)
from .forked import Sandbox
from .levels import sandbox_ids
from .limits import Limits
from .output import WARNINGS_KEPT, Printed, stopped_at, warned_at
from .processes import CLOSE_SECONDS, InitHandle, WorkerHandle

# The worker's watchdog sends one notice per request; code in the worker may forge another. More is refused
# (as a protocol error), so a flood of notices cannot keep the grader busy until the deadline.
MAX_NOTICES = 2


@dataclass
class CallResult:
    """What a call of the learner's function gave back: its value, and (``return_args``) its arguments after it."""

    value: object
    args: list | None = None
    # with ``fingerprints``: the arguments whose values the call changed (positions, and names of keyword
    # arguments), from the digests the worker sent of them afterwards (see codec.fingerprint)
    changed: tuple = ()


def _changed(request: dict, after) -> tuple:
    """The arguments of ``request`` whose fingerprint the worker reports changed (positions, keyword names).

    What the worker reports can only take points away (an argument it says it changed), so a missing or
    malformed report is read as "nothing changed"."""
    if not request.get("fingerprints") or not isinstance(after, dict):
        return ()
    changed = []
    positional, named = after.get("args"), after.get("kwargs")
    for index, sent in enumerate(request["args"]):
        before = codec.fingerprint(sent)
        if (
            before is not None
            and isinstance(positional, list)
            and index < len(positional)
            and isinstance(positional[index], str)
            and positional[index] != before
        ):
            changed.append(index)
    for name, sent in request["kwargs"].items():
        before = codec.fingerprint(sent)
        got = named.get(name) if isinstance(named, dict) else None
        if before is not None and isinstance(got, str) and got != before:
            changed.append(name)
    return tuple(changed)


@dataclass
class Session:
    """The learner's modules of one submission, each in its own worker process."""

    sandbox: Sandbox
    files: dict  # exercise module -> the bytes of its file, as staged
    limits: Limits = field(default_factory=Limits)
    folder: Path | None = None  # the staged folder (the `uid` and `none` levels read the files there)
    _workers: dict = field(default_factory=dict)
    _inits: dict = field(default_factory=dict)
    _deadline: float = 0.0
    _import_errors: dict = field(default_factory=dict)
    _timed_out: dict = field(default_factory=dict)
    seed_salt: int = 0  # 0 for grading; calibration varies it to show tolerances hold for any seed
    seed_key: bytes = b""  # the key of every seed sent to the sandbox (``autograder.course.secret``; never sent itself)
    flavours: dict = field(default_factory=dict)  # exercise module -> "numpy" (NumPy only) or "torch"
    support: dict = field(default_factory=dict)  # exercise module -> (path, source) of its in-sandbox helpers
    preload: dict = field(default_factory=dict)  # exercise module -> library modules to import before forking
    _seed_base: int = 0
    _counter: int = 0
    events: list = field(default_factory=list)
    _shared: dict = field(default_factory=dict)  # digest of a shared request -> (outcome, what it printed)
    reference_seconds: dict = field(default_factory=dict)  # request key -> the reference's time (Limits)
    timings: dict | None = None  # when a dict: request key -> the seconds each answer took (calibration)
    printed: Printed = field(default_factory=Printed)  # what the learner's code printed during the current check
    warned: list = field(default_factory=list)  # the warnings its code raised during the current check (warned_at)
    # the stages in the order their checks run (see look_ahead): (module, "public" or "hidden"); a bare module
    # name stands for its public stage
    plan: tuple = ()
    _phase: str = "public"  # the phase of the checks running now (see retire_others)
    _ahead: dict = field(default_factory=dict)  # stage -> the thread starting its processes ahead of its checks
    _spare: dict = field(default_factory=dict)  # stage -> a worker started ahead, its file not yet imported
    _frozen: set = field(default_factory=set)  # hidden stages whose processes wait, stopped (see retire_others)
    _closing: bool = False

    @property
    def present(self) -> set:
        return set(self.files)

    @staticmethod
    def _stage(entry) -> tuple[str, str]:
        return (entry, "public") if isinstance(entry, str) else tuple(entry)

    def _init(self, stage: tuple[str, str]) -> InitHandle:
        """The init of a stage (an exercise file's public or hidden checks): each has its own (its own PID
        namespace and files), so what one file's code does to processes costs only that stage's checks."""
        init = self._inits.get(stage)
        if init is None:
            module = stage[0]
            if not self._deadline:
                self._deadline = time.monotonic() + self.limits.submission_seconds
            flavour = self.flavours.get(module, "torch")
            files = {f"{module}.py": self.files[module]}
            init = self.sandbox.open_submission(
                flavour, files, self.folder, self.limits, self.support.get(module), self.preload.get(module, ())
            )
            if self._closing:  # (a look-ahead that the end of the submission overtook)
                init.close()
                raise EOFError("the submission has ended")
            self._inits[stage] = init
        return init

    def retire_others(self, module: str, phase: str = "public"):
        """Make ``module``'s ``phase`` the running stage (checks run one stage at a time) and end every other
        one's processes, so that no daemon of one file can serve another file's checks. A file's public
        stage whose hidden stage comes later is frozen instead (at the `namespaces` level: every process in
        its namespace stopped) and thawed when its hidden checks begin; below that level its processes end
        and its hidden stage starts new ones. Every public check runs before any hidden one (``runner``), so
        nothing that ran beside a hidden check is alive while a public one runs."""
        stage = (module, phase)
        self._phase = phase
        spared = {stage, self._after(stage)}
        for other in [m for m in list(self._inits) if m not in spared and m not in self._frozen]:
            if not self._freeze(other):  # (a copy of the keys: a look-ahead may add one)
                self._drop(other)
        if stage in self._frozen:
            self._frozen.discard(stage)
            if not self._inits[stage].pause("thaw"):
                self._drop(stage)  # (it starts again from nothing when its first check asks)
        if module not in self.present:  # no worker of its own to start first
            self.look_ahead(self._after(stage))

    def _freeze(self, stage: tuple[str, str]) -> bool:
        """Stop every process of a public stage whose file has a hidden stage later in the plan (`namespaces`
        level only: there the init is PID 1 of the file's namespace) and make them that hidden stage's."""
        later = (stage[0], "hidden")
        plan = [self._stage(entry) for entry in self.plan]
        if self.sandbox.level != "namespaces" or stage[1] != "public" or later in self._inits:
            return False
        if stage not in plan or later not in plan or plan.index(later) < plan.index(stage):
            return False
        self._join_ahead(stage)
        if stage not in self._inits or not self._inits[stage].pause("freeze"):
            return False
        self._inits[later] = self._inits.pop(stage)
        for pool in (self._workers, self._spare):
            if stage in pool:
                pool[later] = pool.pop(stage)
        self._frozen.add(later)
        return True

    def _drop(self, stage: tuple[str, str]):
        for pool in (self._workers, self._spare):
            worker = pool.pop(stage, None)
            if worker is not None:
                worker.kill()
        init = self._inits.pop(stage, None)
        if init is not None:
            init.close()

    def begin_check(self, name: str):
        """Make seeds depend only on the check's name and the grader's secret key, so every run is the same
        and the seeds say nothing of which check runs (``seed_key``, see ``autograder.course.secret``)."""
        salted = name if not self.seed_salt else f"{self.seed_salt}:{name}"
        digest = hashlib.blake2b(salted.encode(), key=self.seed_key[:64], digest_size=8, person=b"check").digest()
        self._seed_base = int.from_bytes(digest, "little")
        self._counter = 0
        self.printed = Printed()
        self.warned = []

    def refuse(self, module: str, problem: dict) -> None:
        """Never run ``module``: the grader found ``problem`` in its file before running it (it cannot be read as
        UTF-8, or Python cannot parse it). Every call to it raises :class:`ImportFailed` with that cause, as if its
        import had failed."""
        self._import_errors[module] = ImportFailed(module, None, {"cause": StudentException(module, None, problem)})

    def _next_seed(self) -> int:
        self._counter += 1
        return (self._seed_base + 7919 * self._counter) % (2**31)

    def _worker(self, module: str) -> WorkerHandle:
        if module not in self.present:
            raise MissingFile(module, None)
        if module in self._import_errors:
            raise self._import_errors[module]
        stage = (module, self._phase)
        worker = self._workers.get(stage)
        if worker is not None:
            return worker
        self._join_ahead(stage)
        try:
            return self._start(stage)
        finally:
            self.look_ahead(self._after(stage))

    def _start(self, stage: tuple[str, str]) -> WorkerHandle:
        """Start the stage's worker (or take the one started ahead) and import the learner's file in it."""
        module = stage[0]
        worker = self._spare.pop(stage, None) or self._spawn(stage)
        try:
            # a fixed seed, outside the check's sequence: a check's calls get the same seeds
            # whether or not its worker had to be started (or restarted) first
            request = {"op": "import", "module": module, "seed": 0}
            self._exchange(worker, module, None, request, self._seconds(request, None, self.limits.import_seconds))
        except StudentError as exc:
            error = ImportFailed(module, None, {"cause": exc})
            self._import_errors[module] = error
            raise error from None
        self._workers[stage] = worker
        return worker

    def _spawn(self, stage: tuple[str, str]) -> WorkerHandle:
        init = self._init(stage)  # a failure here is the grader's (RuntimeError), not the submission's
        try:
            return init.spawn()
        except (EOFError, OSError, codec.ProtocolError, KeyError, ValueError, TypeError):
            raise StudentCrash(stage[0], None) from None  # its init was killed (possible below `namespaces`)

    def _after(self, stage: tuple[str, str]) -> tuple[str, str] | None:
        """The stage whose checks come after ``stage``'s in the plan."""
        plan = [self._stage(entry) for entry in self.plan]
        return plan[plan.index(stage) + 1] if stage in plan and plan.index(stage) + 1 < len(plan) else None

    def look_ahead(self, stage: tuple[str, str] | None):
        """Start a stage's processes (its init and a worker) in a thread while the grader checks the stage
        before it: the forks run on the other core, so its first check need not wait for them. Only the
        sandbox's own code runs ahead; the learner's file is imported when its first check asks, as always,
        so nothing of it runs beside another stage's checks and the outcome is the same."""
        if (
            stage is None
            or stage[0] not in self.present
            or stage in self._inits
            or stage in self._ahead
            or stage[0] in self._import_errors
            or self._closing
        ):
            return

        def start():
            try:
                worker = self._spawn(stage)
            except Exception:  # noqa: BLE001 - its first check starts it again and meets the error itself
                return
            if self._closing:
                worker.kill()
            else:
                self._spare[stage] = worker

        thread = threading.Thread(target=start, name=f"look-ahead {stage[0]} ({stage[1]})", daemon=True)
        self._ahead[stage] = thread
        thread.start()

    def _join_ahead(self, stage: tuple[str, str]):
        thread = self._ahead.pop(stage, None)
        if thread is not None:
            thread.join()

    @staticmethod
    def _key(request: dict) -> str:
        """A request's name in the timing table: ``<module>.<function>``, ``.import`` or ``.probe:<name>``."""
        name = {"call": request.get("function"), "probe": f"probe:{request.get('name')}"}.get(
            str(request.get("op")), "import"
        )
        return f"{request.get('module')}.{name}"

    def _seconds(self, request: dict, timeout: float | None, cap: float) -> float:
        """The time limit of one request: ``timeout`` if given, else from the reference's time (``Limits``)."""
        return timeout or self.limits.seconds_for(self.reference_seconds.get(self._key(request)), cap)

    def _exchange(self, worker, module, function, request, seconds):
        """Send one request and wait for its answer, at most ``seconds`` (and within the submission's budget).

        The worker may send one notice (``{"where": ..., "printed": ...}``, see ``worker.Watchdog``) shortly
        before the limit; it is read under the same deadline, so the limit is enforced whatever the
        worker sends, and used only if the answer does not come: to say where the code was stopped.
        """
        if "seed" not in request:
            request["seed"] = self._next_seed()
        left = self._deadline - time.monotonic() if self._deadline else seconds
        if left <= 0:
            raise StudentTimeout(module, function, {"seconds": self.limits.submission_seconds, "budget": True})
        limit = min(seconds, left)
        request["where_after"] = max(0.0, limit - max(0.05, min(0.5, limit / 10)))
        notice = None
        try:
            deadline = time.monotonic() + limit
            codec.send(worker.sock, request)
            answer = codec.receive(worker.sock, deadline=deadline)
            for _ in range(MAX_NOTICES):  # the watchdog's notice (or one the code forged): the answer may follow
                if "ok" in answer or "where" not in answer:
                    break
                notice = answer
                answer = codec.receive(worker.sock, deadline=deadline)
            if "ok" not in answer and "where" in answer:
                raise codec.ProtocolError("too many notices for one request")
        except TimeoutError:
            self._discard(module, worker)
            detail = {"seconds": seconds}
            if left < seconds:
                detail = {"seconds": self.limits.submission_seconds, "budget": True}
            if notice is not None:
                detail["where"] = stopped_at(notice.get("where"), self.files)
                self.printed.add(notice.get("printed"))
            raise StudentTimeout(module, function, detail) from None
        except (EOFError, OSError):
            self._discard(module, worker)
            raise StudentCrash(module, function) from None
        except codec.ProtocolError as exc:
            self._discard(module, worker)
            raise Unreadable(module, function, {"message": str(exc)}) from None
        self.printed.add(answer.get("printed"))
        if "warned" in answer and len(self.warned) < WARNINGS_KEPT:
            self.warned.extend(warned_at(answer["warned"], module, self.files)[: WARNINGS_KEPT - len(self.warned)])
        if self.timings is not None:
            self.timings.setdefault(self._key(request), []).append(limit - (deadline - time.monotonic()))
        if not answer.get("ok"):
            detail = answer.get("error") if isinstance(answer.get("error"), dict) else {}
            raise error_from_detail(module, function, detail)
        return answer

    def _discard(self, module, worker):
        worker.kill()
        for stage in [stage for stage, known in self._workers.items() if known is worker]:
            del self._workers[stage]

    def _once(self, request: dict, run):
        """``run(request)`` once per submission for the same request: a shared call (see :meth:`call`)."""
        digest = hashlib.blake2b(
            json.dumps([self.seed_salt, request], sort_keys=True).encode(),
            digest_size=16,
            key=self.seed_key[:64],
            person=b"shared",
        ).digest()
        if digest not in self._shared:
            request["seed"] = int.from_bytes(digest[:4], "little") % (2**31)  # from the request, not the check
            outer, self.printed = self.printed, Printed()
            outer_warned, self.warned = self.warned, []
            try:
                outcome = (True, run(request))
            except StudentError as error:
                outcome = (False, error)
            finally:
                printed, self.printed = self.printed, outer
                warned, self.warned = self.warned, outer_warned
            self._shared[digest] = (outcome, printed, warned)
        (ok, value), printed, warned = self._shared[digest]
        self.printed.absorb(printed)
        self.warned.extend(warned[: max(0, WARNINGS_KEPT - len(self.warned))])
        if not ok:  # a copy: each check may add its own notes to the error (a hint, a diagnosis)
            kind: type[StudentError] = type(value)
            again = kind.__new__(kind)
            again.__dict__.update(value.__dict__)
            again.args = value.args
            raise again
        return copy.deepcopy(value)

    def call(
        self,
        module: str,
        function: str,
        *args,
        timeout: float | None = None,
        return_args: bool = False,
        shared: bool = False,
        fingerprints: bool = False,
        **kwargs,
    ) -> CallResult:
        """Call ``module.function(*args, **kwargs)`` in the sandbox and bring the result back.

        ``shared``: the same call (same arguments) made by several checks of a submission runs once, with a
        seed made from the call itself; every check gets its result, or its error, and what it printed.
        For the course's long runs (a training loop the course sets up one way) that several checks read.
        ``fingerprints``: also tell which arguments the call changed (``CallResult.changed``).
        """
        request = {
            "op": "call",
            "module": module,
            "function": function,
            "args": [codec.encode(a) for a in args],
            "kwargs": {k: codec.encode(v) for k, v in kwargs.items()},
            "return_args": return_args,
        }
        if fingerprints:
            request["fingerprints"] = True
        if shared:
            return self._once(request, lambda ready: self._call(module, function, ready, timeout, return_args))
        return self._call(module, function, request, timeout, return_args)

    def _answer(self, module: str, function: str, request: dict, timeout: float | None) -> dict:
        """Send a call or a probe of the learner's ``function`` and wait for its answer (see :meth:`_exchange`).

        Once a request that runs ``function`` has run out of time in this submission, every later one (a call
        or a probe: a probe runs the learner's ``function`` too) times out at once without running: it would
        again."""
        key = (module, function)
        if key in self._timed_out:
            raise StudentTimeout(module, function, {"seconds": self._timed_out[key], "repeat": True})
        worker = self._worker(module)
        seconds = self._seconds(request, timeout, self.limits.call_seconds)
        try:
            return self._exchange(worker, module, function, request, seconds)
        except StudentTimeout:
            self._timed_out[key] = seconds
            raise

    def _call(self, module, function, request, timeout, return_args) -> CallResult:
        answer = self._answer(module, function, request, timeout)
        try:
            value = codec.decode(answer.get("result", {"t": "none"}))
            args_back = [codec.decode(a) for a in answer["args"]] if return_args else None
        except (codec.ProtocolError, KeyError, TypeError) as exc:
            raise Unreadable(module, function, {"message": str(exc)}) from None
        return CallResult(value, args_back, _changed(request, answer.get("fingerprints")))

    def probe(
        self,
        module: str,
        name: str,
        *args,
        function: str,
        timeout: float | None = None,
        shared: bool = False,
        fingerprints: bool = False,
    ):
        """Run a trusted diagnostic (``PROBES[name]`` of the exercise's in-sandbox helpers) next to the learner's
        module (``shared``: as for :meth:`call`). ``fingerprints``: return ``(value, changed)``, ``changed`` the
        positions of the arguments the probe's run of the learner's code changed (see ``CallResult.changed``)."""
        request: dict[str, object] = {
            "op": "probe",
            "module": module,
            "name": name,
            "args": [codec.encode(a) for a in args],
        }
        if fingerprints:
            request["fingerprints"] = True
        if shared:
            return self._once(request, lambda ready: self._probe(module, function, ready, timeout))
        return self._probe(module, function, request, timeout)

    def _probe(self, module, function, request, timeout):
        answer = self._answer(module, function, request, timeout)
        try:
            value = codec.decode(answer.get("result", {"t": "none"}))
        except codec.ProtocolError as exc:
            raise Unreadable(module, function, {"message": str(exc)}) from None
        if request.get("fingerprints"):
            return value, _changed({**request, "kwargs": {}}, answer.get("fingerprints"))
        return value

    def close(self):
        """End the submission: every process it started is killed (see the README's threat model)."""
        self._closing = True  # a look-ahead still opening closes what it gets (see look_ahead, _init)
        for _ in range(2):  # again once the look-ahead has ended: what it added meanwhile
            for pool in (self._workers, self._spare):
                while pool:
                    pool.popitem()[1].kill()
            while self._inits:  # (a look-ahead waiting for its worker from one of them gets an EOF at once)
                self._inits.popitem()[1].close()
            threads = list(self._ahead.values())
            self._ahead.clear()
            for thread in threads:  # only the sandbox's own code: an open and a spawn
                thread.join(timeout=CLOSE_SECONDS)
        if self.sandbox.level == "uid":
            uid = self.limits.uid if self.limits.uid is not None else sandbox_ids()[0]
            self.sandbox.reap(uid, keep=(str(self.folder),) if self.folder is not None else ())
