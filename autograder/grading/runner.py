"""Run the grading checks with pytest, against one submission in the sandbox.

The checks are ordinary pytest tests under ``autograder/checks``. pytest
collects them (its discovery and ``-k``, once per process: :func:`collect`);
:class:`GradingPlugin` runs the collected checks against each submission with
two fixtures, ``student`` (the learner's modules, running in the sandbox) and
``reference`` (the solutions, hidden checks only), seeds each check from its
name, and turns every outcome into a :class:`CheckResult`. A batch or a watch
loop thus starts no pytest session per submission (it cost about 0.1 s each).
"""

from __future__ import annotations

import ast
import functools
import traceback
from pathlib import Path

import pytest

from autograder import messages
from autograder.checking import byhand, figures
from autograder.checking.expect import CheckFailed, compose, expect_inputs_left_alone
from autograder.checking.known_errors import known_cause
from autograder.checking.source import parse as parse_source
from autograder.course import reference, registry, secret, tables
from autograder.course.environ import environment
from autograder.course.reference import Reference
from autograder.course.registry import CheckInfo
from autograder.grading import source_encoding, source_syntax
from autograder.grading.blame import function_at_line, parameters, settle, where_line
from autograder.grading.explain import (
    describe_student_error,
    file_problem,
    import_line,
    missing_import,
    same_error,
    warned,
)
from autograder.grading.results import CheckResult, Report
from autograder.grading.sandboxes import course_sandbox
from autograder.grading.submission import stage
from autograder.messages import label, text
from autograder.sandbox import client

CHECKS = Path(__file__).parent.parent / "checks"


class GraderError(RuntimeError):
    """The grader itself could not run (not the learner's fault)."""


# ----------------------------------------------------------------- student side


class _ModuleProxy:
    def __init__(self, session: client.Session, module: str):
        self._session = session
        self._module = module

    def __getattr__(self, function: str):
        return functools.partial(self._call, function)

    def _call(self, function, *args, **kwargs):
        result = self._session.call(self._module, function, *args, fingerprints=True, **kwargs)
        if result.changed:
            _expect_inputs_left_alone(self._session, self._module, function, result.changed)
        return result.value


def _expect_inputs_left_alone(session: client.Session, module: str, function: str, changed) -> None:
    """Fail when the call changed an argument that ``function`` should leave alone (its docstring does not say
    it changes it: ``CHANGES_ARGUMENTS`` of the exercise's checks), naming the argument as the learner does."""
    names = parameters(_text(session.files.get(module, b"")), function)
    allowed = registry.course(include_hidden=False).exercise(module).changes_arguments(function)
    expect_inputs_left_alone(function, changed, names, allowed)


class Student:
    """``student.ex1.dloss(...)`` calls the learner's function in the sandbox.

    ``student.session`` gives the full interface (``return_args``,
    ``probe``).
    """

    def __init__(self, session: client.Session, only: set[str] | None = None):
        self.session = session
        self.only = only

    def __getattr__(self, short: str) -> _ModuleProxy:
        try:
            return _ModuleProxy(self.session, registry.course(include_hidden=False).exercise(short).name)
        except KeyError:
            raise AttributeError(short) from None


def localized_title(exercise: str, test_id: str, english: str) -> str:
    """A check's title in the current language: ``ex<N>.title.<test>`` from the catalogue, else its docstring."""
    key = f"{exercise.split('_', 1)[0]}.title.{test_id}"
    return text(key) if messages.has(key) else english


# ----------------------------------------------------------------- the plugin


FIXTURES = {"student", "reference"}


class _Collector:
    """pytest's collection of the checks (a ``--collect-only`` session): validated, in grading order."""

    def __init__(self):
        self.items = []
        self.problems: list[str] = []

    @staticmethod
    def info(item) -> tuple[CheckInfo, str, str]:
        info = getattr(item.function, "check_info", None)
        exercise = getattr(item.module, "EXERCISE", None)
        title = (item.function.__doc__ or "").strip().splitlines()[0:1]
        if info is None or exercise not in registry.names() or not title:
            raise GraderError(f"{item.nodeid}: every check needs @check(...), EXERCISE and a docstring title")
        # what GradingPlugin.run gives a check: the two fixtures, no parameters, no marks
        unknown = set(item.fixturenames) - FIXTURES
        if unknown or hasattr(item, "callspec") or any(True for _ in item.iter_markers()):
            raise GraderError(
                f"{item.nodeid}: a check takes only the fixtures {sorted(FIXTURES)}, with no "
                f"parametrize or other marks (it asks for {sorted(unknown) or 'marks'})"
            )
        return info, exercise, title[0].strip()

    def pytest_collection_modifyitems(self, items, config):
        for item in items:
            try:
                self.info(item)
            except GraderError as error:
                self.problems.append(str(error))
        if self.problems:
            return
        # every exercise's public checks before any hidden check (nothing a hidden check's input passed
        # through can reach a message the learner sees before the hidden results are published), and one
        # exercise at a time within each: the session retires each stage's processes before the next starts
        items.sort(key=lambda item: grading_order(self.info(item)[1], self.info(item)[0].visibility))

    def pytest_collectreport(self, report):
        if report.failed:
            self.problems.append(f"{report.nodeid}: {report.longreprtext[-3000:]}")

    def pytest_collection_finish(self, session):
        self.items = list(session.items)


def grading_order(exercise: str, visibility: str) -> tuple[int, int]:
    """Where a check of ``exercise`` runs: all public checks (exercise by exercise), then all hidden ones."""
    order = {name: index for index, name in enumerate(registry.names())}
    return (visibility != "public", order[exercise])


@functools.lru_cache(maxsize=8)
def collect(files: tuple[str, ...], select: str | None = None) -> tuple:
    """The checks in ``files`` (``-k select``: pytest's own keyword matching), as pytest collects them:
    once per process, so a batch or a watch loop pays for pytest's session once, not per submission."""
    collector = _Collector()
    args = [
        *files,
        "--collect-only",
        "-c",
        str(CHECKS / "grading.ini"),
        "--rootdir",
        str(CHECKS),
        "--noconftest",
        "--import-mode=importlib",
        "--capture=no",
        "--assert=plain",
        *UNUSED_PLUGINS,
    ]
    if select:
        args += ["-k", select]
    with _plugin_autoload_disabled():
        code = pytest.main(args, plugins=[collector])
    if select and code == pytest.ExitCode.NO_TESTS_COLLECTED and not collector.problems:
        raise GraderError(f"no check matches -k {select!r}")
    if collector.problems or code != pytest.ExitCode.OK:
        raise GraderError(
            f"the grading checks could not be collected (pytest exit code {int(code)}):\n"
            + "\n".join(collector.problems)
        )
    return tuple((item, *collector.info(item)) for item in collector.items)


class GradingPlugin:
    """Runs pytest's collected checks against one submission: the fixtures ``student`` and ``reference``,
    the sandbox's bookkeeping around each check, and every outcome as a :class:`CheckResult`.

    A check's exception is kept and classified here (letting pytest see a failure would make it render a
    full traceback report, tens of milliseconds each, that the learner never sees)."""

    def __init__(self, session: client.Session, only: set[str] | None = None):
        self.session = session
        self.only = only
        self.results: list[CheckResult] = []

    def _fixture(self, name: str, info: CheckInfo):
        """``student`` or ``reference`` (collection refuses a check that asks for anything else)."""
        if name == "student":
            return Student(self.session)
        if info.visibility != "hidden":
            raise GraderError("only hidden checks may use the reference solutions")
        return Reference()

    def _function_lines(self) -> dict:
        """(module, function) -> line in the exercise files, read with ast (never imported)."""
        if not hasattr(self, "_lines"):
            self._lines = {}
            for module in self.session.present:
                tree = parse_source(self.session.files[module])
                if tree is None:
                    continue
                for node in tree.body:
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                        self._lines[(module, node.name)] = node.lineno
        return self._lines

    def _not_by_hand(self, exercise: str, function: str) -> CheckFailed | None:
        """The failure of every check of ``function`` when the learner's file takes a derivative that the
        exercise asks to work out by hand numerically instead (``BY_HAND``, :mod:`autograder.checking.byhand`):
        decided from the source, in this process, before the check runs."""
        if not hasattr(self, "_by_hand"):
            self._by_hand: dict[str, dict[str, byhand.Finding]] = {}
        if exercise not in self._by_hand:
            rules = registry.course(include_hidden=False).exercise(exercise).by_hand_rules()
            source = self.session.files.get(exercise)
            self._by_hand[exercise] = byhand.findings(_text(source), rules) if rules and source is not None else {}
        finding = self._by_hand[exercise].get(function)
        if finding is None:
            return None
        rules = registry.course(include_hidden=False).exercise(exercise).by_hand_rules()
        # no hint where another function is to blame, or where the file could not be read (it need not be wrong)
        hint = (
            None
            if finding.kind == "too_deep" or (finding.where in rules and finding.where != function)
            else "hint.by_hand"
        )
        return CheckFailed(compose(byhand.message(finding, rules), hint=hint), hint)

    def run(self, checks) -> None:
        checks = [check for check in checks if self.only is None or check[0].name in self.only]
        self.session.plan = tuple(dict.fromkeys((exercise, info.visibility) for _, info, exercise, _ in checks))
        for item, info, exercise, title in checks:
            error: BaseException | None = self._not_by_hand(exercise, info.function)
            if error is not None:
                self.session.begin_check(item.name)  # (nothing printed: no learner code runs for it)
                figures.begin()
                self._record(item.name, info, exercise, title, error)
                continue
            try:
                self.session.retire_others(exercise, info.visibility)
                self.session.begin_check(item.name)
                figures.begin()
                item.obj(**{name: self._fixture(name, info) for name in item._fixtureinfo.argnames})
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - classified in _record (as pytest would have caught it)
                error = exc
            self._record(item.name, info, exercise, title, error)

    def _record(self, test_id: str, info: CheckInfo, exercise: str, title: str, error: BaseException | None) -> None:
        title = localized_title(exercise, test_id, title)
        result = CheckResult(
            title,
            exercise,
            info.function,
            0.0,
            info.points,
            "passed",
            info.visibility,
            test_id=test_id,
            line=self._function_lines().get((exercise, info.function), 0),
            uses=info.uses,
        )
        result.figures = figures.take()
        if error is not None and self.session.printed:  # shown under the message of a check that did not pass
            result.printed = self.session.printed
        if error is None:
            result.score = info.points
        elif isinstance(error, CheckFailed):
            result.status, result.message, result.hint = "failed", error.message, error.hint or ""
        elif isinstance(error, client.StudentError):
            result.status = error.status
            result.cause = type(error).__name__
            result.not_implemented = isinstance(error, client.NotImplementedYet)
            source = _text(self.session.files.get(error.module, b""))
            missing = missing_import(error, source)
            result.message = describe_student_error(error, source)
            # a check may add what it found out about the error (train's diagnosis) and a likely cause
            explanation = getattr(error, "explanation", None)
            if explanation and not missing:
                result.message += f"\n{explanation}"
            hint = None if missing else getattr(error, "hint", None) or known_cause(error)
            result.hint = hint or ("hint.error.missing_import" if missing else "")  # (a class's classic mistakes)
            if hint:
                result.message += f"\n{label('layout.cause')}{text(hint)}"
            result.file_problem = file_problem(error, missing)
            result.same_as = same_error(error, hint)
            syntax = self._syntax_error(error)
            if syntax:  # every check of the file: one cause, at one place
                result.cause, result.line = syntax[2], syntax[0]
                result.where = syntax[1] or ""
            elif result.file_problem:  # the file's top lacks an import, or stopped at a line of its top level
                result.line, result.where = import_line(error) if not missing else 0, ""
        else:
            result.status = "error"
            result.message = text("status.grader_bug")
            result.debug = "".join(traceback.format_exception(error))[-6000:]
        if result.status != "passed" and not result.not_implemented and not result.debug:
            if not result.file_problem:
                result.message = warned(self.session, result.message, result.hint)
            result.core = result.message
            result.where = result.where if result.file_problem else result.where or info.function
            result.message = f"{result.message}\n{label('layout.where')}{where_line(result)}"  # final: blame.settle
        self.results.append(result)

    def _syntax_error(self, error: client.StudentError) -> tuple[int, str | None, str] | None:
        """(line, function, cause) of a syntax error ("SyntaxError") or of a file not saved as UTF-8
        ("Encoding"); the file cannot be parsed, so the function is found by indentation."""
        cause = error.detail.get("cause") if isinstance(error, client.ImportFailed) else None
        if not isinstance(cause, client.StudentException) or cause.detail.get("kind") not in ("syntax", "encoding"):
            return None
        kind = cause.detail.get("kind")
        line = cause.detail.get("line")
        source = self.session.files.get(error.module)
        if not isinstance(line, int) or not isinstance(source, (bytes, str)):
            return None
        return line, function_at_line(_text(source), line), "SyntaxError" if kind == "syntax" else "Encoding"


# ----------------------------------------------------------------- entry points


def _plugin_autoload_disabled():
    return environment("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def _text(source: bytes | str) -> str:
    return source.decode("utf-8", errors="replace") if isinstance(source, bytes) else str(source)


def check_files(include_hidden: bool | None = None) -> list[Path]:
    """The check modules to run, from the registry: public always; hidden when present with the reference."""
    return registry.course(include_hidden).check_files()


def hidden_points() -> dict[str, dict[str, float]]:
    """Points of the hidden checks, ``{exercise: {function: points}}`` (for the report's "checked after you submit").

    A student release has no hidden checks, only ``checks/hidden_points/<exercise>.json``, which ``build release``
    writes; where they are absent (the full kit, which runs the hidden checks itself) this is ``{}``.
    """
    return tables.hidden_points()


# pytest's plugins that the grading checks do not use (and --assert=plain: the checks fail through
# expect.CheckFailed, never a bare assert, so their modules need no rewriting on every import). Each costs time in
# every check or every session (unraisableexception and threadexception run gc.collect() twice per session:
# 0.17 s of a 0.4 s regrade).
UNUSED_PLUGINS = [
    arg
    for name in (
        "cacheprovider",
        "terminal",
        "faulthandler",
        "stepwise",
        "unraisableexception",
        "threadexception",
        "logging",
        "warnings",
        "junitxml",
        "doctest",
        "pastebin",
        "legacypath",
        "tmpdir",
        "monkeypatch",
        "recwarn",
        "setuponly",
        "setupplan",
        "subtests",
        "unittest",
    )
    for arg in ("-p", f"no:{name}")
]


@functools.lru_cache(maxsize=1)
def reference_seconds() -> dict[str, float]:
    """How long the reference solution took for each request of the checks (see ``client.Limits``):
    ``{"<exercise>.<function>" | "<exercise>.import" | "<exercise>.probe:<name>": seconds}``, from each
    exercise's ``checks/limits/<exercise>.json`` (``python scripts/calibrate.py --limits``). Missing or
    unreadable: every request of that exercise gets the cap."""
    return tables.reference_seconds()


def run_checks(
    session: client.Session, files: list[Path], select: str | None = None, only: set[str] | None = None
) -> list[CheckResult]:
    plugin = GradingPlugin(session, only)
    plugin.run(collect(tuple(str(f) for f in files), select))
    order = {name: index for index, name in enumerate(registry.names())}
    plugin.results.sort(key=lambda result: order[result.exercise])  # reported exercise by exercise, as always
    settle(plugin.results, {module: _text(source) for module, source in session.files.items()})
    if only is not None and not plugin.results:
        raise GraderError(f"no check is named {sorted(only)}")
    return plugin.results


def preload(include_hidden: bool) -> None:
    """Load everything trusted before any submitted code runs: the message catalogue, the reference.

    And one thread for the grader's torch: its tensors are small, yet with two threads MKL splits their
    float64 products and the idle thread then spins, about 8% of the grader's CPU on a core the learner's
    worker needs (every fixture's full report is the same with one thread as with two).
    """
    import torch  # lazy: this call is the preload itself (the checks' torch, loaded before any submission runs)

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    messages.preload()
    if include_hidden:
        for name in registry.names():
            reference.load(name)


def grade(
    path,
    *,
    sandbox: client.Sandbox | None = None,
    limits: client.Limits | None = None,
    include_hidden: bool | None = None,
    select: str | None = None,
    seed_salt: int = 0,
    only: set[str] | None = None,
    stage_as: tuple[int, int] | None = None,
    timings: dict | None = None,
) -> Report:
    """Grade the submission at ``path`` (a folder, a .zip, or one exercise file).

    ``stage_as`` (uid, gid): read the submission as that unprivileged user (Gradescope, as root).
    ``timings``: a dict to fill with the seconds each request to the sandbox took (``scripts/calibrate.py``).
    """
    own_sandbox = sandbox is None
    sandbox = sandbox or course_sandbox(once=True)
    limits = limits or client.Limits()
    course = registry.course(include_hidden)
    preload(course.hidden_included)
    staged = stage(Path(path), as_ids=stage_as)
    try:
        level = sandbox.level_now()
        folder = None
        if level != "namespaces":  # the weaker levels read the files from a folder
            owner = None
            if level == "uid":
                owner = (
                    (limits.uid, limits.gid if limits.gid is not None else limits.uid)
                    if limits.uid is not None
                    else client.sandbox_ids()
                )
            folder = staged.materialize(owner)
        session = client.Session(
            sandbox,
            staged.files,
            limits,
            folder=folder,
            seed_salt=seed_salt,
            seed_key=secret.key("request-seeds"),
            flavours={e.name: e.sandbox for e in course.exercises},
            support={e.name: source for e in course.exercises if (source := registry.in_sandbox_source(e.name))},
            preload={e.name: registry.in_sandbox_preload(e.name) for e in course.exercises},
            reference_seconds=reference_seconds(),
            timings=timings,
        )
        for module, data in staged.files.items():  # a file Python cannot read (as UTF-8, or at all) is never run
            found = (
                source_encoding.problem(data) or source_syntax.problem(data, f"{module}.py")
                if isinstance(data, bytes)
                else None
            )
            if found:
                found["file"] = f"{module}.py"
                session.refuse(module, found)
        try:
            results = run_checks(session, course.check_files(), select, only)
        finally:
            session.close()
    finally:
        staged.cleanup()
        if own_sandbox:
            sandbox.close()
    report = Report(results, list(staged.notes), isolation=level, read_problems=list(staged.problems))
    if not course.hidden_included:
        report.hidden_not_run = hidden_points()
    return report
