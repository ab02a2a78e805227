"""Every fixture's full report, in both languages, as one JSON file: to show that a change moved no score or message.

Grades ``solutions/``, every variant in ``tests/correct/`` and every fixture in ``tests/buggy/`` (spliced into the
reference as ``tests/conftest.py``'s ``build_buggy`` does, graded on its exercise's checks), with
``AUTOGRADER_LANG=en`` and ``zh_CN`` and ``AUTOGRADER_SECRET=kit-tests``, in one warm sandbox, and writes per
submission and language the score, and per check its score, status, message and hint, plus the rendered report.

    python scripts/report_snapshot.py OUT.json                      # the full run (about 8 minutes on 2 cores)
    python scripts/report_snapshot.py OUT.json --compare OLD.json   # exit 1 naming every difference
    python scripts/report_snapshot.py OUT.json --only ex1_dloss_sign --only solutions   # some fixtures only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ["AUTOGRADER_SECRET"] = "kit-tests"  # before the kit reads it (as tests/conftest.py pins it)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import BUGGY, COURSE, SOLUTIONS, build_buggy  # noqa: E402

from autograder.grading.runner import grade  # noqa: E402
from autograder.grading.sandboxes import course_sandbox  # noqa: E402
from autograder.sandbox.client import Sandbox  # noqa: E402

LANGUAGES = ("en", "zh_CN")
CORRECT = ROOT / "tests" / "correct"


def submissions() -> list[tuple[str, Path | None]]:
    """(name, fixture file) of everything graded; ``None``: the reference solutions themselves."""
    return (
        [("solutions", None)]
        + [(f"correct/{p.stem}", p) for p in sorted(CORRECT.glob("*.py"))]
        + [(f"buggy/{p.stem}", p) for p in sorted(BUGGY.glob("*.py"))]
    )


def report_of(report) -> dict:
    return {
        "score": report.score,
        "max_score": report.max_score,
        "checks": {
            t.test_id: {"score": t.score, "status": t.status, "message": t.message, "hint": t.hint}
            for t in report.tests
        },
        "rendered": report.render(),
    }


def snapshot(names: set[str] | None = None, progress=None, sandbox: Sandbox | None = None) -> dict:
    """``{submission: {language: report}}`` for every submission (or those in ``names``), in ``sandbox`` (else
    one of its own, warm for all of them)."""
    out: dict = {}
    chosen = [
        (name, path) for name, path in submissions() if names is None or name in names or name.split("/")[-1] in names
    ]
    before = os.environ.get("AUTOGRADER_LANG")
    try:
        with contextlib.ExitStack() as stack:
            sandbox = sandbox or stack.enter_context(course_sandbox())
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            for index, (name, path) in enumerate(chosen):
                if path is None:
                    folder, only = SOLUTIONS, None
                else:
                    folder = Path(tmp) / str(index)
                    meta = build_buggy(path, folder)
                    only = {c.test_id for c in COURSE.exercise(meta["MODULE"]).checks}
                for lang in LANGUAGES:
                    os.environ["AUTOGRADER_LANG"] = lang
                    out.setdefault(name, {})[lang] = report_of(grade(folder, sandbox=sandbox, only=only))
                if progress:
                    progress(f"[{index + 1}/{len(chosen)}] {name}")
    finally:
        if before is None:
            os.environ.pop("AUTOGRADER_LANG", None)
        else:
            os.environ["AUTOGRADER_LANG"] = before
    return out


def differences(old: dict, new: dict) -> list[str]:
    """One line per submission, language and check whose report differs (a submission in one only: named too)."""
    found = []
    for name in sorted(set(old) | set(new)):
        if name not in old or name not in new:
            found.append(f"{name}: only in the {'new' if name in new else 'old'} snapshot")
            continue
        for lang in sorted(set(old[name]) | set(new[name])):
            a, b = old[name].get(lang), new[name].get(lang)
            if a == b:
                continue
            if a is None or b is None:
                found.append(f"{name} [{lang}]: graded in one snapshot only")
                continue
            for check in sorted(set(a["checks"]) | set(b["checks"])):
                ca, cb = a["checks"].get(check), b["checks"].get(check)
                if ca != cb:
                    fields = sorted(k for k in set(ca or {}) | set(cb or {}) if (ca or {}).get(k) != (cb or {}).get(k))
                    found.append(
                        f"{name} [{lang}] {check}: {', '.join(fields)} differ{'s' if len(fields) == 1 else ''}"
                    )
            for key in ("score", "max_score", "rendered"):
                if a.get(key) != b.get(key):
                    found.append(f"{name} [{lang}]: {key} differs")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--compare", type=Path, metavar="OLD.json", help="exit 1 if anything differs from it")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="grade only these (solutions, a fixture's file stem, or correct/<stem>)",
    )
    args = parser.parse_args(argv)
    new = snapshot(set(args.only) if args.only else None, progress=lambda line: print(line, file=sys.stderr))
    args.out.write_text(json.dumps(new, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    if args.compare is None:
        return 0
    old = json.loads(args.compare.read_text(encoding="utf-8"))
    if args.only:
        old = {name: value for name, value in old.items() if name in new}
    found = differences(old, new)
    for line in found:
        print(line)
    print(
        f"{len(new)} submissions x {len(LANGUAGES)} languages: "
        + (f"{len(found)} difference(s) from {args.compare}" if found else f"identical to {args.compare}")
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
