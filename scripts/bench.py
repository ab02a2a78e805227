"""Speed targets (``make bench``): grading one submission vs importing torch.

The issue's target: a whole submission graded in under 2x the wall time of
``python -c "import torch, numpy"``. Prints the medians of a few runs, and the
time per submission when one sandbox is reused (as batch grading does).
"""

from __future__ import annotations

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
    print(f"one more submission, sandbox reused      {warm:6.2f} s")
    return 0 if graded < 2 * baseline else 1


if __name__ == "__main__":
    raise SystemExit(main())
