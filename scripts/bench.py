"""Speed targets (``make bench``); exits 1 when one is missed.

Every target is in units of ``python -c "import torch, numpy"`` (the import),
timed on this machine beside the figure it judges: its speed drifts by a third
within a day, and a figure in seconds would say more of the hour than of the
code. The targets (x the import):

1. One submission, end to end: ``python -m autograder grade solutions`` in at
   most 1.5x (paired runs, interleaved; the median of the per-pair ratios).
2. A further submission with the sandbox warm (as ``batch`` and ``make watch``
   grade): at most 0.294x (median).
3. A class of 200 with ``batch -j 2`` in at most 44.1x. The class is built from
   the kit's own fixtures: 70% correct or nearly so (the reference; some of it
   printing as it trains), 25% with one or two classic bugs (``tests/buggy``),
   5% broken (a syntax error, a crash at import, an endless loop in ``train``
   or at import). Every check runs; the gradebook is checked for one row per
   student and no grader error.
4. The nbgrader channel: ``nbgrader autograde`` of one submission in at most
   8.82x, with nbgrader's scores equal to the command line's
   (``scripts/bench_nbgrader.py``).
5. The watch loop's regrade after saving a file: at most 0.735x; what the
   namespace boundary adds to one submission: at most 0.147x.

Targets 2-5 were first set in seconds (0.4 s, 60 s, 12 s, 1 s, 0.2 s) when the
import took 1.36 s here (issue 11): they are those seconds divided by 1.36 s.
``python scripts/bench.py --quick`` skips the class and nbgrader parts.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.channels.watch import Watcher  # noqa: E402
from autograder.course import registry  # noqa: E402
from autograder.grading.runner import grade  # noqa: E402
from autograder.grading.sandboxes import course_sandbox  # noqa: E402
from autograder.sandbox.client import Limits  # noqa: E402

RUNS = 5
CLASS_SIZE = 200

SET_WITH_IMPORT = 1.36  # seconds the import took here when targets 2-5 were set in seconds (issue 11)
SECONDS_WHEN_SET = {"warm": 0.4, "class": 60.0, "nbgrader": 12.0, "watch": 1.0, "boundary": 0.2}
TARGETS = {"single": 1.5, **{name: s / SET_WITH_IMPORT for name, s in SECONDS_WHEN_SET.items()}}  # x the import
IMPORT = [sys.executable, "-c", "import torch, numpy"]


def wall(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def beside(measure):
    """(``measure()``, the import's time around it: the mean of the medians of three runs just before it and
    three just after)."""
    before = statistics.median(wall(IMPORT) for _ in range(3))
    value = measure()
    after = statistics.median(wall(IMPORT) for _ in range(3))
    return value, statistics.mean([before, after])


def single_submission() -> tuple[float, float, float]:
    """(median import time, median grading time, median of the paired ratios) over RUNS interleaved pairs."""
    imports, grades, ratios = [], [], []
    wall(IMPORT)  # the files in the page cache for both
    for _ in range(RUNS):
        imports.append(wall(IMPORT))
        grades.append(wall([sys.executable, "-m", "autograder", "grade", "solutions"]))
        ratios.append(grades[-1] / imports[-1])
    return statistics.median(imports), statistics.median(grades), statistics.median(ratios)


def warm_submission() -> tuple[float, str]:
    with course_sandbox() as sandbox:
        grade(ROOT / "solutions", sandbox=sandbox)  # the first one loads what every later one reuses
        times = []
        for _ in range(RUNS * 2):
            start = time.perf_counter()
            grade(ROOT / "solutions", sandbox=sandbox)
            times.append(time.perf_counter() - start)
        return statistics.median(times), sandbox.level


# ----------------------------------------------------------------- the class


BROKEN = {  # kind -> (exercise file, what it does to the reference's file)
    "syntax_error": (
        "ex1_manual_gradients",
        lambda source: source.replace("def dloss(w, x, y):", "def dloss(w, x, y)", 1),
    ),
    "crash_at_import": ("ex2_linear_regression", lambda source: "raise RuntimeError('half-finished file')\n" + source),
    "endless_train": (
        "ex2_linear_regression",
        lambda source: (
            source
            + "\n\ndef train(features, labels, lr=0.03, num_epochs=3, batch_size=10):\n"
            + "    while True:\n        pass\n"
        ),
    ),
    "endless_import": ("ex3_mlp_backprop", lambda source: "while True:\n    pass\n" + source),
}
BROKEN_PLAN = [
    "syntax_error",
    "syntax_error",
    "crash_at_import",
    "crash_at_import",
    "endless_train",
    "endless_train",
    "endless_train",
    "endless_import",
    "endless_import",
    "syntax_error",
]


def _tests_helpers():
    sys.path.insert(0, str(ROOT / "tests"))
    # lazy: tests/conftest.py costs 0.9 s of start-up (python -X importtime, 2026-12-07), for the class part only
    import conftest  # the fixtures' own loader: MODULE/TARGET constants and functions spliced into a solution

    return conftest


def build_class(folder: Path, size: int = CLASS_SIZE) -> dict[str, int]:
    """``size`` submissions in ``folder`` (see the module's docstring); returns how many of each kind."""
    conftest = _tests_helpers()
    bugs = sorted((ROOT / "tests" / "buggy").glob("*.py"))
    correct, buggy = round(size * 0.70), round(size * 0.25)
    broken = size - correct - buggy
    for i in range(correct):
        target = conftest.copy_solutions(folder / f"s{i:03d}")
        if i % 6 == 5:  # nearly so: a learner who prints as the loop trains
            path = target / "ex2_linear_regression.py"
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            at = next(n for n, line in enumerate(lines) if "losses.append(" in line)
            indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
            lines.insert(at, f"{indent}print('epoch', len(losses) + 1, 'w', w.detach().ravel().tolist())\n")
            path.write_text("".join(lines), encoding="utf-8")
    for i in range(buggy):
        target = folder / f"b{i:03d}"
        first = bugs[(i * 7) % len(bugs)]
        bug = conftest.build_buggy(first, target)
        if i % 4 == 3:  # a second bug, in another exercise
            second = next(
                b for b in bugs[(i * 11) % len(bugs) :] + bugs if conftest.load_bug(b)["MODULE"] != bug["MODULE"]
            )
            other = conftest.load_bug(second)
            module = target / f"{other['MODULE']}.py"
            module.write_text(conftest.splice(module.read_text(encoding="utf-8"), other["source"]), encoding="utf-8")
    for i in range(broken):
        module, change = BROKEN[BROKEN_PLAN[i % len(BROKEN_PLAN)]]
        path = conftest.copy_solutions(folder / f"x{i:03d}") / f"{module}.py"
        changed = change(path.read_text(encoding="utf-8"))
        if changed == path.read_text(encoding="utf-8"):
            raise RuntimeError(f"the broken kind {BROKEN_PLAN[i % len(BROKEN_PLAN)]} did not change {path.name}")
        path.write_text(changed, encoding="utf-8")
    return {"correct or nearly": correct, "one or two bugs": buggy, "broken": broken}


def grade_class(size: int = CLASS_SIZE, jobs: int = 2) -> tuple[float, dict, list[dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        kinds = build_class(folder, size)
        out = Path(tmp) / "grades.csv"
        seconds = wall([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out), "-j", str(jobs)])
        with out.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    return seconds, kinds, rows


# ----------------------------------------------------------------- the watch loop and the sandbox boundary


def watch_regrade() -> float:
    """Median time from saving one exercise file to the watch loop's next report (the stubs, public checks,
    one change per exercise file: its stub replaced by the solution, then back)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp, course_sandbox() as sandbox:
        folder = Path(tmp) / "exercises"
        shutil.copytree(ROOT / "exercises", folder)
        watcher = Watcher(folder, sandbox=sandbox, limits=Limits(), include_hidden=False)
        watcher.grade_all()
        for _ in range(2):
            for name in registry.names():
                for source in (ROOT / "solutions" / f"{name}.py", ROOT / "exercises" / f"{name}.py"):
                    shutil.copyfile(source, folder / f"{name}.py")
                    start = time.perf_counter()
                    for exercise in watcher.changed():
                        watcher.regrade(exercise, "public")
                    watcher.report().render(str(folder))
                    times.append(time.perf_counter() - start)
    return statistics.median(times)


def boundary_overhead() -> tuple[float, float, float]:
    """(median at namespaces, median at none, median of the paired differences) of `grade solutions`."""
    command = [sys.executable, "-m", "autograder", "grade", "solutions"]
    strong, weak, differences = [], [], []
    for _ in range(RUNS):
        weak.append(wall(command, env={**os.environ, "AUTOGRADER_SANDBOX_LEVEL": "none"}))
        strong.append(wall(command, env={**os.environ, "AUTOGRADER_SANDBOX_LEVEL": "namespaces"}))
        differences.append(strong[-1] - weak[-1])
    return statistics.median(strong), statistics.median(weak), statistics.median(differences)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the class and the nbgrader channel")
    args = parser.parse_args(argv)
    missed = []

    def verdict(name: str, units: float, imported: float, ok: bool = True) -> str:
        """``units`` (x the import, which took ``imported`` s) against the target of ``name``; ``ok``: what else
        the part requires."""
        met = ok and units <= TARGETS[name]
        if not met:
            missed.append(name)
        return (
            f"= {units:.3g}x the import ({imported:.2f} s, timed beside it); target <= {TARGETS[name]:.3g}x  "
            f"{'ok' if met else 'MISSED'}"
        )

    imported, graded, ratio = single_submission()
    print(
        f"one submission:   grade solutions {graded:.2f} s (the median of {RUNS} ratios to runs of the import "
        f"interleaved with it) {verdict('single', ratio, imported)}"
    )
    (warm, level), imported = beside(warm_submission)
    print(
        f"warm submission:  {warm:.2f} s (sandbox reused, level {level}; median of {RUNS * 2}) "
        f"{verdict('warm', warm / imported, imported)}"
    )
    if not args.quick:
        (seconds, kinds, rows), imported = beside(grade_class)
        problems = [r["student"] for r in rows if r["status"].startswith("grader error")]
        mix = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        print(
            f"class of {CLASS_SIZE}:     {seconds:.1f} s with batch -j 2 = {CLASS_SIZE / seconds:.2f} submissions/s "
            f"({mix}; {len(rows)} rows, {len(problems)} grader errors) "
            f"{verdict('class', seconds / imported, imported, len(rows) == CLASS_SIZE and not problems)}"
        )
        # lazy: with nbgrader's test helpers it costs 8-13 s of start-up (python -X importtime, 2026-12-07); not --quick
        from bench_nbgrader import autograde_one_seconds

        (nb_seconds, nb_scores, cli_scores), imported = beside(autograde_one_seconds)
        same = nb_scores == cli_scores
        print(
            f"nbgrader:         autograde of one submission {nb_seconds:.1f} s, scores "
            f"{'equal to' if same else 'DIFFERENT from'} the command line's "
            f"{verdict('nbgrader', nb_seconds / imported, imported, same)}"
        )
    regrade, imported = beside(watch_regrade)
    print(
        f"make watch:       regrade after saving a file {regrade:.2f} s (median) "
        f"{verdict('watch', regrade / imported, imported)}"
    )
    (strong, weak, overhead), imported = beside(boundary_overhead)
    print(
        f"sandbox boundary: grade solutions at namespaces {strong:.2f} s vs none {weak:.2f} s: {overhead:+.2f} s "
        f"(median of {RUNS} paired differences) {verdict('boundary', overhead / imported, imported)}"
    )
    if missed:
        print(f"MISSED: {', '.join(missed)}")
        return 1
    print("every target met")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
