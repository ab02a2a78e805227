"""The run as text: a table per family of mutants, then each survivor with the checks it passed."""

from __future__ import annotations

from .grade import KILLED, SURVIVED, TIMEOUT
from .run import ARGUMENT_KINDS, EQUIVALENT, VERDICTS, Run

FAMILIES = (
    ("library operators (mutmut) over the learner's blocks and the signatures' defaults", ("operator",)),
    ("arguments frozen to the first value passed, or to their default", ARGUMENT_KINDS),
)
HEADER = ("mutants", KILLED, TIMEOUT, SURVIVED, EQUIVALENT, "grader error")


def _row(label: str, results) -> str:
    counts = [len(results)] + [sum(1 for r in results if r.verdict == v) for v in VERDICTS]
    return f"{label:<32}" + "".join(f"{n:>13}" for n in counts)


def table(run: Run) -> str:
    lines = []
    for title, kinds in FAMILIES:
        results = [r for r in run.results if r.mutant.kind in kinds]
        if not results:
            continue
        lines += ["", title, f"{'exercise / function':<32}" + "".join(f"{h:>13}" for h in (HEADER[0], *VERDICTS))]
        exercises = list(dict.fromkeys(r.mutant.exercise for r in results))
        for exercise in exercises:
            mine = [r for r in results if r.mutant.exercise == exercise]
            lines.append(_row(exercise, mine))
            for function in dict.fromkeys(r.mutant.function for r in mine):
                lines.append(_row(f"  {function}", [r for r in mine if r.mutant.function == function]))
        lines.append(_row("total", results))
    return "\n".join(lines)


def _checks_of(result) -> str:
    """The checks that grade (or use) the mutant's function, with what each gave."""
    function = result.mutant.function
    checks = [c for c in result.outcome.checks if c.function == function or function in c.uses] or result.outcome.checks
    return ", ".join(
        f"{c.test_id}{' (hidden)' if c.visibility == 'hidden' else ''} {c.score:g}/{c.points:g}" for c in checks
    )


def survivors(run: Run) -> str:
    lines = []
    if run.survivors:
        lines += ["", f"{len(run.survivors)} mutant(s) kept full marks: the checks below all passed with the change"]
        for result in run.survivors:
            m = result.mutant
            lines.append(f"  {m.exercise}.{m.function} [{m.kind}] {m.diff()}")
            lines.append(f"      passed: {_checks_of(result)}")
    if run.grader_errors:
        lines += ["", f"{len(run.grader_errors)} mutant(s) made the grader itself fail (a grader defect):"]
        for result in run.grader_errors:
            last = (result.outcome.debug.strip().splitlines() or ["?"])[-1]
            lines.append(f"  {result.mutant.exercise}.{result.mutant.function} {result.mutant.diff()}: {last}")
    if run.stale:
        lines += ["", f"{len(run.stale)} stale entr(y/ies) in scripts/mutants_equivalent.toml:"]
        lines += [f"  {entry.label()}: {why}" for entry, why in run.stale]
    for problem in run.baseline_problems:
        lines.append(f"! {problem}")
    return "\n".join(lines)


def summary(run: Run) -> str:
    counts = {v: sum(1 for r in run.results if r.verdict == v) for v in VERDICTS}
    told = ", ".join(f"{n} {v}" for v, n in counts.items() if n or v in (KILLED, SURVIVED))
    return f"{len(run.results)} mutants in {run.seconds:.0f} s: {told}" + ("" if run.ok else "  -> FAIL")


def render(run: Run) -> str:
    return "\n".join(part for part in (table(run), survivors(run), "", summary(run)) if part is not None)
