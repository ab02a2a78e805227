"""Speed targets (``make bench``): grading one submission vs importing torch, and the sandbox's cost.

Targets: a regrade in the watch loop after saving one file under 1 s; a whole submission graded in under 2x the wall time of
``python -c "import torch, numpy"``; the namespace boundary adds at most
0.2 s to grading one submission (paired runs of ``grade solutions`` at the
``namespaces`` and ``none`` levels, interleaved, median of the differences).
Prints the medians of a few runs, and the time per submission when one
sandbox is reused (as batch grading does).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def boundary_overhead() -> tuple[float, float, float]:
    """(median at namespaces, median at none, median of the paired differences) of `grade solutions`."""
    command = [sys.executable, "-m", "autograder", "grade", "solutions"]
    strong, weak, differences = [], [], []
    for _ in range(RUNS):
        os.environ["AUTOGRADER_SANDBOX_LEVEL"] = "none"
        weak.append(wall(command))
        os.environ["AUTOGRADER_SANDBOX_LEVEL"] = "namespaces"
        strong.append(wall(command))
        differences.append(strong[-1] - weak[-1])
    os.environ.pop("AUTOGRADER_SANDBOX_LEVEL", None)
    return statistics.median(strong), statistics.median(weak), statistics.median(differences)


def watch_regrade() -> float:
    """Median time from saving one exercise file to the watch loop's next report (the stubs, public checks,
    one change per exercise file: its stub replaced by the solution, then back)."""
    import shutil
    import tempfile

    from autograder import registry
    from autograder.sandbox.client import Limits, Sandbox
    from autograder.watch import Watcher

    times = []
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
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


def main() -> int:
    torch_only = statistics.median(wall([sys.executable, "-c", "import torch"]) for _ in range(RUNS))
    baseline = statistics.median(wall([sys.executable, "-c", "import torch, numpy"]) for _ in range(RUNS))
    graded = statistics.median(wall([sys.executable, "-m", "autograder", "grade", "solutions"]) for _ in range(RUNS))
    stubs = statistics.median(wall([sys.executable, "-m", "autograder", "grade", "exercises"]) for _ in range(RUNS))
    sys.path.insert(0, str(ROOT))
    from autograder.runner import grade
    from autograder.sandbox.client import Sandbox

    with Sandbox() as sandbox:
        grade(ROOT / "solutions", sandbox=sandbox)  # warm up
        start = time.perf_counter()
        for _ in range(RUNS):
            grade(ROOT / "solutions", sandbox=sandbox)
        warm = (time.perf_counter() - start) / RUNS
    print(f"python -c 'import torch'                 {torch_only:6.2f} s  (median of {RUNS})")
    print(f"python -c 'import torch, numpy'          {baseline:6.2f} s  (median of {RUNS})")
    print(f"python -m autograder grade solutions     {graded:6.2f} s  = {graded / baseline:.2f}x the import (target < 2x)")
    print(f"python -m autograder grade exercises     {stubs:6.2f} s  (the stubs)")
    print(f"one more submission, sandbox reused      {warm:6.2f} s  (level: {sandbox.level})")
    regrade = watch_regrade()
    print(f"make watch: regrade after saving a file  {regrade:6.2f} s  (median over the exercises' files, public "
          f"checks as in the student release; target < 1 s)")
    strong, weak, overhead = boundary_overhead()
    print(f"grade solutions, namespaces vs none      {strong:6.2f} s vs {weak:.2f} s: the boundary adds "
          f"{overhead:+.2f} s (median of {RUNS} paired differences; target <= 0.2 s)")
    return 0 if graded < 2 * baseline and overhead <= 0.2 and regrade < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
