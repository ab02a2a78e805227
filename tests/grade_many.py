"""Grade several submissions with one sandbox and write each report: ``python tests/grade_many.py OUT SUB...``.

For test_emulated_platforms.py: run once as Linux grades (namespaces) and once emulated (no fork, no /proc,
GBK), it writes ``OUT/<name>.json`` (the report's data) and ``OUT/<name>.txt`` (the report as printed), UTF-8,
for the two runs to be compared. The level it ran at is in ``OUT/level.txt``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.grading.runner import grade  # noqa: E402
from autograder.grading.sandboxes import course_sandbox  # noqa: E402


def main(out: Path, submissions: list[str]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with course_sandbox() as sandbox:
        (out / "level.txt").write_text(f"{sandbox.level_now()} {type(sandbox).__name__}\n", encoding="utf-8")
        for path in map(Path, submissions):
            report = grade(path, sandbox=sandbox)
            (out / f"{path.name}.json").write_text(json.dumps(report.to_dict(), sort_keys=True, ensure_ascii=False),
                                                  encoding="utf-8")
            (out / f"{path.name}.txt").write_text(report.render(path.name), encoding="utf-8")
    return 0


if __name__ == "__main__":
    code = main(Path(sys.argv[1]), sys.argv[2:])
    sys.stdout.flush()
    os._exit(code)
