"""Per-exercise tables: one file per exercise, so that adding an exercise edits no file of another.

* ``checks/limits/<exercise>.json``: how long the reference solution takes for each request the checks
  make of it (``{"seconds": {"dloss" | "import" | "probe:<name>": seconds}}``), written by
  ``scripts/calibrate.py --limits [--exercise <exercise>]``; the sandbox sets each call's time limit from
  it (``client.Limits``). An exercise without the file gets the cap for every request.
* ``checks/hidden_points/<exercise>.json``: in a student release only (``build release`` writes it), the
  points of the exercise's hidden checks per function (``{function: points}``), for the report's
  "checked after you submit". The full kit runs its hidden checks and has none.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

CHECKS = Path(__file__).resolve().parent.parent / "checks"
LIMITS = CHECKS / "limits"
HIDDEN_POINTS = CHECKS / "hidden_points"


def _tables(folder: Path) -> dict[str, dict]:
    """``{exercise: its JSON object}`` of every ``<exercise>.json`` of ``folder``; an unreadable file is left out."""
    found = {}
    for path in sorted(folder.glob("ex*.json"), key=lambda p: (int(re.sub(r"\D.*", "", p.stem[2:]) or 0), p.stem)):
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(table, dict):
            found[path.stem] = table
    return found


def limits_file(exercise: str, checks: Path = CHECKS) -> Path:
    return checks / LIMITS.name / f"{exercise}.json"


def reference_seconds(checks: Path = CHECKS) -> dict[str, float]:
    """``{"<exercise>.<request>": seconds}`` over every exercise's limits file (see the module's docstring)."""
    return {
        f"{exercise}.{key}": float(value)
        for exercise, table in _tables(checks / LIMITS.name).items()
        for key, value in (table.get("seconds") or {}).items()
        if isinstance(value, (int, float)) and value > 0
    }


def write_reference_seconds(exercise: str, seconds: dict[str, float], measured_on: str, checks: Path = CHECKS) -> Path:
    """Write ``checks/limits/<exercise>.json`` (``seconds``: request -> seconds, without the exercise prefix)."""
    path = limits_file(exercise, checks)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = {
        "about": f"seconds the reference solution of {exercise} takes per sandbox request (scripts/calibrate.py "
        f"--limits --exercise {exercise}); the time limit of a request is "
        "client.Limits.seconds_for(these seconds)",
        "measured_on": measured_on,
        "seconds": dict(sorted(seconds.items())),
    }
    path.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def hidden_points(checks: Path = CHECKS) -> dict[str, dict[str, float]]:
    """``{exercise: {function: points}}`` of a release's ``checks/hidden_points/*.json``; ``{}`` in the full kit."""
    return {
        exercise: {str(function): float(points) for function, points in table.items()}
        for exercise, table in _tables(checks / HIDDEN_POINTS.name).items()
    }


def write_hidden_points(checks: Path, table: dict[str, dict[str, float]]) -> list[Path]:
    """Write one ``checks/hidden_points/<exercise>.json`` per exercise of ``table`` (in a release being built)."""
    folder = checks / HIDDEN_POINTS.name
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for exercise, functions in table.items():
        path = folder / f"{exercise}.json"
        path.write_text(json.dumps(functions, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
