"""The nbgrader channel's speed: ``nbgrader autograde`` of ONE submission (``scripts/bench.py`` judges it in
units of ``python -c "import torch, numpy"``; run alone, this script checks the 12 s it was first set as).

Builds the course as tests/test_nbgrader.py does (``python -m autograder build
nbgrader``, ``nbgrader generate_assignment``), hands in one student's
notebooks filled with the reference solutions, and times ``nbgrader autograde
backprop --student <id> --force`` as a subprocess (wall time, nbgrader's own
start-up included; the median of ``runs`` runs). Everything else is built once,
outside the timed part. Also returns nbgrader's per-exercise scores from the
gradebook and the command line's (``python -m autograder grade --json``) on
the same code, which must be equal.

    python scripts/bench_nbgrader.py [--runs N] [--keep DIR]

``autograde_one_seconds(runs)`` is what ``scripts/bench.py`` calls.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENT = "backprop"
STUDENT = "bench"
TARGET_SECONDS = 12.0
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def _env() -> dict:
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    run = subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=900
    )
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({run.returncode}):\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return run


def _fill(release_notebook: Path, module_source: str, target: Path) -> None:
    """The learner's notebook: the release version with every solution cell replaced by their function
    (the kit's nbgrader tests fill theirs the same way)."""
    sys.path.insert(0, str(ROOT / "tests"))
    # lazy: tests/test_nbgrader.py (nbgrader, its test course) costs 13 s of start-up (python -X importtime, 2026-12-07)
    from test_nbgrader import fill

    fill(release_notebook, module_source, target)


def build(workdir: Path, solutions: Path = SOLUTIONS) -> Path:
    """The course in ``workdir/nbgrader`` with one submission (``solutions``' code in the notebooks)."""
    _run([sys.executable, "-m", "autograder", "build", "nbgrader", "--dist", str(workdir)], ROOT)
    course = workdir / "nbgrader"
    _run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], course)
    release = course / "release" / ASSIGNMENT
    notebooks = sorted(release.glob("*.ipynb"))
    if not notebooks:
        raise RuntimeError(f"no notebooks in {release}")
    for notebook in notebooks:
        _fill(
            notebook,
            (solutions / f"{notebook.stem}.py").read_text(encoding="utf-8"),
            course / "submitted" / STUDENT / ASSIGNMENT / notebook.name,
        )
    return course


def _weak_flag() -> list[str]:
    """``allow_weak_sandbox`` where this machine gives the sandbox less than 'namespaces' (as the tests do)."""
    probe = "from autograder.sandbox.client import probe_level\nprint(probe_level()[0])"
    level = _run([sys.executable, "-c", probe], ROOT).stdout.strip().splitlines()[-1]
    return [] if level == "namespaces" else ["--GradeInSandbox.allow_weak_sandbox=True"]


def autograde_command(weak: list[str]) -> list[str]:
    return [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--student", STUDENT, "--force", *weak]


def gradebook_scores(course: Path) -> dict[str, float]:
    """nbgrader's score of each notebook (exercise) of the student, from the gradebook."""
    # lazy: nbgrader.api costs 8 s of start-up (python -X importtime, 2026-12-07), for the gradebook's read only
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, STUDENT)
        return {notebook.name: notebook.score for notebook in submission.notebooks}


def cli_scores(solutions: Path, workdir: Path) -> dict[str, float]:
    """``python -m autograder grade --json``'s score of each exercise on the same code."""
    out = workdir / "cli.json"
    _run([sys.executable, "-m", "autograder", "grade", str(solutions), "--json", str(out)], ROOT)
    scores: dict[str, float] = {}
    for test in json.loads(out.read_text(encoding="utf-8"))["tests"]:
        scores[test["exercise"]] = scores.get(test["exercise"], 0.0) + test["score"]
    return scores


def autograde_one_seconds(runs: int = 3, keep: Path | None = None) -> tuple[float, dict, dict]:
    """(median wall seconds of ``nbgrader autograde`` of one submission, nbgrader's scores, the CLI's scores)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-nbgrader-")) if keep is None else keep
    try:
        course = build(workdir)
        command = autograde_command(_weak_flag())
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            _run(command, course)
            times.append(time.perf_counter() - start)
        return statistics.median(times), gradebook_scores(course), cli_scores(SOLUTIONS, workdir)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the course in this (empty) folder and keep it")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    seconds, in_nbgrader, on_cli = autograde_one_seconds(args.runs, args.keep)
    same = in_nbgrader == on_cli
    print(
        f"nbgrader autograde of one submission: {seconds:.2f} s (median of {args.runs}; "
        f"target <= {TARGET_SECONDS:.0f} s)"
    )
    print(f"scores {'equal to' if same else 'DIFFERENT from'} the command line's: nbgrader {in_nbgrader}, CLI {on_cli}")
    return 0 if same and seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
