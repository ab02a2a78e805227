"""Hostile submissions against the sandbox boundary: every attack in tests/attacks/, in every mode it applies to.

The whole campaign runs once per session (see ``attack_kit``); each test then checks one attack in one
mode: no points gained over the honest counterpart, nothing changed outside the submission's own
temporary space, no secret in any output, nothing left running, no connection out. The modes are
``python -m autograder grade``, ``batch``, Gradescope's ``run_autograder`` and the real ``nbgrader
autograde`` of the course (the attack as a learner's notebook; which attacks apply is the rule of
``attack_kit.nbgrader_applies``).
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import os
import re
import subprocess
import sys
import threading
import time

import pytest

from autograder.course import registry

from attack_kit import (HONEST, MODES, ROOT, SECRET_NAME, TIMEOUT, Campaign, hidden_inputs, ipc_key, load_attacks,
                        nbgrader_applies, user_site_dirs)

EXERCISES = registry.names()  # discovered from the files, never listed here

pytestmark = pytest.mark.slow

ATTACK_LIST = load_attacks()
BY_NAME = {a.name: a for a in ATTACK_LIST}
CASES = [(a.name, mode) for a in ATTACK_LIST for mode in MODES if mode in a.modes]
GENERIC_LEAKS = ("BEGIN SOLUTION",)
HAVE_NBGRADER = importlib.util.find_spec("nbgrader") is not None


@contextlib.contextmanager
def _one_ast_parse_at_a_time():
    """The campaign grades in this thread while its other threads build notebooks; both call ast.parse.
    CPython 3.11's AST constructor keeps its recursion depth per interpreter, not per thread: two parses
    that interleave (a garbage collection can switch threads halfway) can fail with "SystemError: AST
    constructor recursion depth mismatch" (python/cpython#106905). The grader itself parses in one thread
    per process (batch grades in processes); only this harness needs the lock."""
    import ast

    parse, lock = ast.parse, threading.Lock()

    def locked(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)

    ast.parse = locked
    try:
        yield
    finally:
        ast.parse = parse


def _run_campaign(campaign: Campaign, tmp_factory):
    with _one_ast_parse_at_a_time():
        _campaign(campaign, tmp_factory)


def _campaign(campaign: Campaign, tmp_factory):
    from autograder.grading.runner import grade
    from autograder.grading.sandboxes import course_sandbox
    from autograder.sandbox.client import Limits

    limits = Limits(call_seconds=TIMEOUT, import_seconds=TIMEOUT)
    errors = []

    def timed(name, stream):
        def run():
            started = time.monotonic()
            try:
                stream()
            finally:
                campaign.timings[f"stream-{name}"] = time.monotonic() - started
        return run

    def guarded(name, fn, *args):
        started = time.monotonic()
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - recorded; the tests say what is missing
            import traceback

            errors.append(f"{name}: {traceback.format_exc()[-3000:]}")
            del exc
        campaign.timings[name] = time.monotonic() - started

    # The honest counterparts are graded before any submitted code runs anywhere (a successful attack on the
    # grader must not shift them); meanwhile the streams prepare what involves no submitted code.
    baselines_done = threading.Event()

    def after_baselines():
        baselines_done.wait(timeout=900)

    def subprocess_jobs(dist) -> list[tuple]:
        """Every run of a separate grader process: (name, function, args, names of the jobs it must follow).

        The longest first (the whole-class batch), then the Gradescope runs and the graders of the grade mode's
        subprocess attacks, interleaved; a run holding an attack with a ``PEER`` follows its peer's run.
        """
        main = [a for a in ATTACK_LIST if "batch" in a.modes and a.meta.get("GROUP") != "disruptive"]
        rough = [a for a in ATTACK_LIST if "batch" in a.modes and a.meta.get("GROUP") == "disruptive"]
        jobs = [("batch-main", campaign.run_batch, ("main", main), ()),
                ("batch-disruptive", campaign.run_batch, ("disruptive", rough), ())]
        gs, run_of = [], {}
        if dist is not None:
            runs = [group for phase in campaign.gradescope_groups([a for a in ATTACK_LIST if "gradescope" in a.modes])
                    for group in phase]
            for index, group in enumerate(runs, start=1):
                after = tuple(run_of[a.meta["PEER"]] for a in group if a.meta.get("PEER") in run_of)
                run_of.update({a.name: f"gs-{index}" for a in group})
                gs.append((f"gs-{index}", campaign.run_gradescope, (group, dist / "gradescope_autograder.zip", index),
                           after))
        sub = [(f"grade-sub-{a.name}", campaign.run_grade_subprocess, (a,), ())
               for a in ATTACK_LIST if "grade" in a.modes and a.grade_kind == "subprocess"]
        while gs or sub:
            for queue, count in ((gs, 2), (sub, 1)):
                jobs += queue[:count]
                del queue[:count]
        return jobs

    def subprocess_streams(count: int) -> dict:
        """``count`` streams that take the next job whose predecessors are done (see :func:`subprocess_jobs`)."""
        lock = threading.Condition()
        state = {"jobs": None, "done": set()}

        def prepare():
            dist = tmp_factory.mktemp("gs-dist")
            run = subprocess.run([sys.executable, "-m", "autograder", "build", "gradescope", "--dist", str(dist)],
                                 cwd=ROOT, capture_output=True, text=True, timeout=120)
            if run.returncode != 0:
                errors.append(f"building the Gradescope bundle failed: {run.stderr[-2000:]}")
                dist = None
            return subprocess_jobs(dist)

        def stream():
            with lock:
                if state["jobs"] is None:
                    state["jobs"] = []
                    try:
                        state["jobs"] = prepare()
                    except Exception:  # noqa: BLE001 - recorded; the tests say what is missing
                        import traceback

                        errors.append(f"preparing the subprocess jobs: {traceback.format_exc()[-3000:]}")
            after_baselines()
            while True:
                with lock:
                    while True:
                        ready = [job for job in state["jobs"] if set(job[3]) <= state["done"]]
                        if ready or not state["jobs"]:
                            break
                        lock.wait(timeout=5)
                    if not ready:
                        return
                    job = ready[0]
                    state["jobs"].remove(job)
                try:
                    guarded(job[0], job[1], *job[2])
                finally:
                    with lock:
                        state["done"].add(job[0])
                        lock.notify_all()

        return {f"pool-{n}": stream for n in range(1, count + 1)}

    def nbgrader_stream():  # one generate_assignment, one autograde: the whole class of attacks as notebooks
        if HAVE_NBGRADER:
            guarded("nbgrader", campaign.run_nbgrader, [a for a in ATTACK_LIST if "nbgrader" in a.modes],
                    after_baselines)

    os.environ[SECRET_NAME] = campaign.secret  # the grading process (this one, in grade mode) holds it
    try:
        with course_sandbox() as sandbox:
            def grade_fn(path):
                return grade(path, sandbox=sandbox, limits=limits)

            pool = subprocess_streams(3)
            streams = {"nbgrader": nbgrader_stream, "pool-1": pool["pool-1"], "pool-2": pool["pool-2"]}
            threads = [threading.Thread(target=timed(name, f), daemon=True) for name, f in streams.items()]
            for thread in threads:
                thread.start()
            try:
                guarded("baselines", campaign.compute_baselines, grade_fn)
            finally:
                baselines_done.set()

            def grade_inprocess_stream():
                inprocess = [a for a in ATTACK_LIST if "grade" in a.modes and a.grade_kind == "inprocess"]
                for attack in sorted(inprocess, key=lambda a: bool(a.meta.get("PEER"))):
                    guarded(f"grade-{attack.name}", campaign.run_grade_inprocess, attack, grade_fn)

            timed("grade-inprocess", grade_inprocess_stream)()
            timed("pool-3", pool["pool-3"])()  # then this thread helps with what the others have not started
            for thread in threads:
                thread.join(timeout=900)
    finally:
        os.environ.pop(SECRET_NAME, None)
    campaign.settle_and_inspect()
    campaign.harness_errors = errors


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (the campaign's cost on a shared machine)."""
    import resource

    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


@pytest.fixture(scope="session")
def campaign(tmp_path_factory):
    started, cpu = time.monotonic(), _cpu_seconds()
    campaign = Campaign(tmp_path_factory.mktemp("attacks"), ATTACK_LIST)
    try:
        _run_campaign(campaign, tmp_path_factory)
        campaign.timings["campaign"] = time.monotonic() - started
        campaign.cpu = _cpu_seconds() - cpu
        if os.environ.get("ATK_TIMINGS_FILE"):  # every timing, for whoever tunes the campaign
            import json

            with open(os.environ["ATK_TIMINGS_FILE"], "w") as handle:
                json.dump({"timings": campaign.timings, "cpu": campaign.cpu, "outcomes": {f"{n}/{m}": o.seconds for (n, m), o
                                                                    in campaign.outcomes.items()}}, handle, indent=1)
        yield campaign
    finally:
        campaign.close()


def _fmt(scores):
    return {k[:3]: v for k, v in (scores or {}).items()}


# ----------------------------------------------------------------- one attack, one mode


@pytest.mark.parametrize("name,mode", CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_attack_is_defeated(campaign, name, mode):
    attack = BY_NAME[name]
    if mode == "nbgrader" and not HAVE_NBGRADER:
        pytest.skip("nbgrader is not installed")
    out = campaign.outcomes.get((name, mode))
    assert out is not None, f"{name} was not run in {mode}: {getattr(campaign, 'harness_errors', [])}"
    problems = []
    text = out.text()
    marker = out.marker

    # the grader finished and produced its outputs
    if out.error:
        problems.append(f"grading broke: {out.error[:600]}")
    limit = attack.meta.get("MAX_SECONDS")
    if limit and out.seconds > limit and mode == "grade":
        problems.append(f"grading took {out.seconds:.0f} s (> {limit} s)")

    # no points gained
    baseline = campaign.baseline_for(attack, mode)
    if out.scores:
        gained = {e: (out.scores.get(e, 0), baseline.get(e, 0)) for e in EXERCISES
                  if out.scores.get(e, 0) > baseline.get(e, 0) + 1e-9}
        if mode == "gradescope":
            gained = {e: v for e, v in gained.items() if e == attack.module}
        if gained:
            problems.append(f"points gained over the honest counterpart (got, honest): {gained}")
        if attack.meta.get("OTHERS_INTACT") and mode not in ("gradescope", "nbgrader"):  # nbgrader: zz_honest
            lost = {e: (out.scores.get(e, 0), baseline.get(e, 0)) for e in EXERCISES if e != attack.module
                    and abs(out.scores.get(e, 0) - baseline.get(e, 0)) > 1e-9}
            if lost:
                problems.append(f"other exercises changed score (got, honest): {lost}")
        for function in attack.meta.get("ZERO_FUNCTIONS", ()):
            got = [score for (ex, fn), pairs in out.statuses.items() if fn == function for _, score in pairs]
            if any(score > 0 for score in got):
                problems.append(f"{function} (ZERO_FUNCTIONS: it breaks its exercise's rule) scored {got}")

    # no secret, no win, nothing stolen in any output
    if campaign.secret in text:
        problems.append(f"the grader's secret ${SECRET_NAME} reached an output")
    wins = sorted(set(re.findall(re.escape(marker) + r":WIN:[^\"\\\n]{0,160}", text)))
    if wins:
        problems.append(f"the attack reported success: {wins[:3]}")
    for token in attack.meta.get("LEAKS", ()):
        if token == "ROOTONLY" and campaign.rootonly_token in text:
            problems.append("the root-only file's content reached an output")
        elif token == "classmate-token-" and f"classmate-token-{campaign.id}" in text:
            problems.append("a classmate's file content reached the attacker's output")
        elif token == "persist-token-" and f"persist-token-{out_peer(campaign, attack, mode)}" in text:
            problems.append("a file left by an earlier submission was read by a later one")
        elif token == "BEGIN SOLUTION" and attack.base == "stubs" and "BEGIN SOLUTION" in text:
            problems.append("the reference solution's text reached an output")
        elif token == "BEGIN HIDDEN TESTS" and token in text:  # the test cells' own text is not an output
            problems.append("the hidden tests' text reached an output")
        elif token == "HIDDEN_INPUTS":  # what a learner sees at once: public checks' messages and the notes
            exercise = attack.meta.get("PAIR", (attack.module,))[0]
            seen = "\n".join(out.public_messages + out.notes)
            leaked = sorted(value for value in _hidden_inputs(exercise) if value in seen)
            if leaked:
                problems.append(f"hidden inputs of {exercise} in a public check's message: {leaked[:3]}")
    shows = attack.meta.get("SHOWS")
    if shows and not out.error and marker + shows not in text:
        problems.append(f"no {shows} in the outputs: the attack's code never ran, so it proves nothing")

    # nothing outside the submission's own temporary space changed
    if campaign.leftover_files.get(marker):
        problems.append(f"files left outside the sandbox: {campaign.leftover_files[marker][:5]}")
    if campaign.tampered.get(marker):
        problems.append(f"grader files tampered with: {campaign.tampered[marker][:5]}")
    added = [n for n in campaign.site_added if marker in n]
    if added:
        problems.append(f"planted in site-packages: {added}")
    if out.forged:
        problems.append(f"outputs rewritten after grading: {out.forged}")
    if mode == "grade" and campaign.classmate_changed.get(f"{name}/grade"):
        problems.append("the classmate's folder was changed")
    problems += out.findings  # e.g. the gradebook disagreeing with the grader's verdicts (nbgrader)
    # in nbgrader the honest students share the autograde run: those graded after a disruptive attack are
    # its OTHERS_INTACT (each notebook has a grade() call of its own)
    if mode == "nbgrader" and (attack.cls in ("classmates", "notebook") or attack.meta.get("OTHERS_INTACT")
                               or attack.meta.get("GROUP") == "disruptive"):
        changed = [n for n in HONEST if campaign.classmate_changed.get(f"nbgrader/{n}")]
        if changed:
            problems.append(f"classmates' submitted notebooks changed during autograde: {changed}")
        hurt = {n: _fmt(s) for n, s in campaign.honest.get("nbgrader", {}).items()
                if s is None or any(abs(s[e] - campaign.baselines["solutions"][e]) > 1e-9 for e in EXERCISES)}
        if hurt:
            problems.append(f"honest classmates' gradebook scores changed: {hurt}")
        if campaign.nb_course_changed:
            problems.append(f"the course changed: {campaign.nb_course_changed}")
        if campaign.nb_gradebook_changed:
            problems.append(f"the gradebook changed after autograde: {list(campaign.nb_gradebook_changed)[:5]}")
    if mode == "batch" and attack.cls == "classmates":
        group = "disruptive" if attack.meta.get("GROUP") == "disruptive" else "main"
        changed = [n for n in HONEST if campaign.classmate_changed.get(f"{group}/{n}")]
        if changed:
            problems.append(f"classmates' folders changed during the batch: {changed}")
        honest_now = campaign.honest.get(group, {})
        hurt = {n: _fmt(s) for n, s in honest_now.items()
                if s is None or any(s[e] < campaign.baselines["solutions"][e] for e in EXERCISES)}
        if hurt:
            problems.append(f"honest classmates lost points: {hurt}")

    # nothing left running, nothing sent out, nothing killed outside
    if campaign.leftover.get(marker):
        problems.append(f"still running after grading: {campaign.leftover[marker][:4]}")
    sent = [d[:80] for d in campaign.net if marker.encode() in d]
    if sent:
        problems.append(f"data reached the test's listener: {sent}")
    if attack.name == "signal_kill_all" and not campaign.sentinel_alive:
        problems.append("the test's sentinel process (outside the sandbox) was killed")

    # attack-specific limits
    if attack.meta.get("HOLD"):  # System V IPC: nothing made, nothing left under the attack's keys
        held = [(int(b), int(n)) for b, n in re.findall(re.escape(marker) + r":HELD:(\d+):OBJECTS:(\d+):", text)]
        if any(b or n for b, n in held):
            problems.append(f"held System V memory and objects (bytes, objects): {held}")
        keys = {ipc_key(marker, offset) for offset in range(3)}
        left = [o for o in campaign.ipc_after if o["key"] in keys]
        if left:
            problems.append(f"System V objects of the attack left on the host: {left}")
    fill = attack.meta.get("FILL")
    if fill:
        amounts = [int(v) for v in re.findall(re.escape(marker) + r":FILLED:(\d+):", text)]
        if amounts and max(amounts) >= fill:
            problems.append(f"wrote {max(amounts) >> 20} MiB (all of it): no size limit stopped it")
    if attack.meta.get("MAX_OUTPUT"):
        biggest = max((len(v) for v in out.outputs.values()), default=0)
        if biggest > attack.meta["MAX_OUTPUT"]:
            problems.append(f"an output grew to {biggest >> 20} MiB")
    if attack.meta.get("NOTE") and mode != "batch" and not out.error:
        notes = " ".join(out.notes)
        if f"{attack.module}.py" not in notes or not any(w in notes for w in ("not graded", "larger than", "refused", "could not be read")):
            problems.append(f"no note in the report says {attack.module}.py was refused: {out.notes[:4]}")
    if out.isolation and not out.isolation.startswith("namespaces"):
        problems.append(f"graded at sandbox level {out.isolation!r}")

    assert not problems, f"[{attack.cls}] {name} in {mode} ({out.group}, isolation={out.isolation or '?'}, " \
                         f"scores={_fmt(out.scores)} vs honest {_fmt(baseline)}):\n  - " + "\n  - ".join(problems)


_HIDDEN_INPUTS: dict = {}


def _hidden_inputs(exercise: str) -> set[str]:
    if exercise not in _HIDDEN_INPUTS:
        _HIDDEN_INPUTS[exercise] = hidden_inputs(exercise)
    return _HIDDEN_INPUTS[exercise]


def out_peer(campaign, attack, mode):
    from attack_kit import marker_for

    return marker_for(campaign.id, attack.meta["PEER"], mode)


# ----------------------------------------------------------------- the class as a whole


def test_attack_suite_covers_every_class():
    classes = {a.cls for a in ATTACK_LIST}
    wanted = {"staging", "tampering", "persistence", "classmates", "forged", "daemons", "signals", "proc", "env",
              "network", "rlimits", "disk", "cpu", "protocol", "lies", "numpy_only", "notebook", "ipc", "pagecache",
              "identify"}
    assert wanted <= classes, wanted - classes
    assert len(ATTACK_LIST) >= 30


def test_harness_ran_everything(campaign):
    assert not campaign.harness_errors, "\n".join(campaign.harness_errors)


@pytest.mark.parametrize("group", ["main", "disruptive"])
def test_batch_honest_classmates_keep_their_marks(campaign, group):
    assert not campaign.batch_error.get(group), campaign.batch_error.get(group)
    honest = campaign.honest.get(group, {})
    expected = campaign.baselines["solutions"]
    for name in HONEST:
        scores = honest.get(name)
        assert scores is not None, f"{name} has no row in the {group} batch"
        assert all(abs(scores[e] - expected[e]) < 1e-9 for e in EXERCISES), (name, scores, expected)
        assert not campaign.classmate_changed.get(f"{group}/{name}"), f"{name}'s folder was changed"


@pytest.mark.parametrize("group", ["main", "disruptive"])
def test_batch_csv_is_spreadsheet_safe_and_says_the_sandbox(campaign, group):
    text = campaign.batch_csv.get(group, "")
    assert text, f"no CSV from the {group} batch"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and "sandbox" in rows[0], list(rows[0]) if rows else rows
    for row in rows:
        for key, cell in row.items():
            assert not (cell or "")[:1] in ("=", "+", "-", "@"), f"unescaped formula cell {key}={cell!r}"
        assert row["sandbox"] == "namespaces", row


def test_nbgrader_mode_follows_the_rule():
    """An attack runs through nbgrader exactly when its hostile code survives the notebook channel (attack_kit)."""
    wrong = {}
    for attack in ATTACK_LIST:
        why_not = nbgrader_applies(attack, BY_NAME)
        if ("nbgrader" in attack.modes) != (not why_not):
            wrong[attack.name] = why_not or "applies, but has no nbgrader mode"
    assert not wrong, wrong
    assert sum("nbgrader" in a.modes for a in ATTACK_LIST) >= 25


@pytest.mark.skipif(not HAVE_NBGRADER, reason="nbgrader is not installed")
def test_nbgrader_honest_students_keep_their_marks(campaign):
    """The two honest students, graded before and after every attack in the same autograde, keep every point."""
    honest = campaign.honest.get("nbgrader", {})
    expected = campaign.baselines["solutions"]
    for name in HONEST:
        scores = honest.get(name)
        assert scores is not None, f"{name} has no submission in the gradebook: {campaign.nb_error}"
        assert all(abs(scores[e] - expected[e]) < 1e-9 for e in EXERCISES), (name, scores, expected)
        assert not campaign.classmate_changed.get(f"nbgrader/{name}"), f"{name}'s submitted notebooks were changed"
    assert not campaign.nb_honest_disagree, campaign.nb_honest_disagree


@pytest.mark.skipif(not HAVE_NBGRADER, reason="nbgrader is not installed")
def test_nbgrader_course_intact(campaign):
    """source/ and release/ unchanged, nothing new in the course, no secret in any of its files, the gradebook
    as nbgrader left it."""
    assert campaign.nb_course is not None, getattr(campaign, "harness_errors", [])
    assert not campaign.nb_course_changed, campaign.nb_course_changed
    assert not campaign.nb_secret_files, campaign.nb_secret_files
    assert not campaign.nb_gradebook_changed, campaign.nb_gradebook_changed


def test_host_ipc_and_shared_memory_released(campaign):
    """Nothing of System V IPC on the host was made by a sandbox, and the host's shared memory (``Shmem``: segments
    and every tmpfs) is back where it was: the IPC attacks try to hold 512 MiB each. ``MemAvailable`` is shown
    beside it; it moves with everything else the machine runs (other graders' torch), so it is not asserted."""
    before = {(o["kind"], o["id"]) for o in campaign.ipc_before}
    sandbox_made = [o for o in campaign.ipc_after if (o["kind"], o["id"]) not in before
                    and (o["cuid"] == 65534 or o["cuid"] >= 1_500_000_000)]
    assert not sandbox_made, sandbox_made
    grown = campaign.memory_after.get("Shmem", 0) - campaign.memory_before.get("Shmem", 0)
    available = campaign.memory_after.get("MemAvailable", 0) - campaign.memory_before.get("MemAvailable", 0)
    print(f"host memory over the campaign: Shmem {grown / 2**20:+.0f} MiB, MemAvailable {available / 2**20:+.0f} MiB")
    assert grown < 256 * 2**20, f"Shmem grew by {grown >> 20} MiB (MemAvailable moved {available >> 20} MiB)"


def test_no_orphaned_sandbox_processes(campaign):
    assert not campaign.orphans, [f"{p['pid']} uid={p['uid']} {p['cmd'][:100]}" for p in campaign.orphans]


def test_reference_solutions_unchanged(campaign):
    assert not campaign.solutions_changed, campaign.solutions_changed


def test_sentinel_outside_the_sandbox_survived(campaign):
    assert campaign.sentinel_alive


def test_report_wall_time(campaign):
    """Not an assertion on the machine's speed: prints where the time went (shown with -rA)."""
    streams = sorted(((k, v) for k, v in campaign.timings.items() if k.startswith("stream-")), key=lambda kv: -kv[1])
    slow = sorted(((k, v) for k, v in campaign.timings.items() if not k.startswith("stream-")), key=lambda kv: -kv[1])
    print("attack campaign streams:", ", ".join(f"{k[7:]}={v:.0f}s" for k, v in streams))
    print("attack campaign timings:", ", ".join(f"{k}={v:.0f}s" for k, v in slow[:12]))
    print(f"attack campaign cpu: {getattr(campaign, 'cpu', 0):.0f}s (this process and the children it waited for)")
    assert campaign.timings.get("campaign", 0) < 600
