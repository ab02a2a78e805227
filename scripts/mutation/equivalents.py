"""``scripts/mutants_equivalent.toml``: the mutants that no check can kill, each with its reason.

An entry names a mutant by its identity (what :class:`generate.Mutant` keeps
stable when the rest of the file changes) and says why the change cannot
alter any result the checks may ask for::

    [[equivalent]]
    exercise = "ex1_manual_gradients"
    function = "mse_grad"
    before = "dw = 2.0 * np.mean(residual * x)"
    after = "dw = 2 * np.mean(residual * x)"
    reason = "2 and 2.0 give the same float64 product"
    # occurrence = 2   (only when the same change appears twice in one function)

A mutant that survives and is listed counts as equivalent, not survived. An
entry is stale when its mutant no longer exists (the solution changed) or
when the checks now kill it: both are reported, and fail the run.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("exercise", "function", "before", "after", "reason")


@dataclass(frozen=True)
class Entry:
    exercise: str
    function: str
    before: str
    after: str
    reason: str
    occurrence: int = 1

    @property
    def identity(self) -> tuple[str, str, str, str, int]:
        return (self.exercise, self.function, self.before, self.after, self.occurrence)

    def label(self) -> str:
        change = f"+ {self.after}" if not self.before else f"{self.before}  ->  {self.after}"
        return f"{self.exercise}.{self.function}: {change}"


class EquivalentsError(ValueError):
    """The file is malformed; the message says where."""


def load(path: Path) -> list[Entry]:
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for number, raw in enumerate(data.get("equivalent", []), 1):
        missing = [name for name in FIELDS if not isinstance(raw.get(name), str)]
        if missing or not raw["reason"].strip():
            raise EquivalentsError(f"{path.name}: entry {number} needs {', '.join(missing) or 'a reason'}")
        entries.append(
            Entry(
                raw["exercise"],
                raw["function"],
                raw["before"],
                raw["after"],
                raw["reason"].strip(),
                int(raw.get("occurrence", 1)),
            )
        )
    seen = set()
    for entry in entries:
        if entry.identity in seen:
            raise EquivalentsError(f"{path.name}: {entry.label()} is listed twice")
        seen.add(entry.identity)
    return entries


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def skeleton(mutant) -> str:
    """A TOML entry for ``mutant``, its reason left to write (``--toml``)."""
    lines = [
        "[[equivalent]]",
        f"exercise = {_quote(mutant.exercise)}",
        f"function = {_quote(mutant.function)}",
        f"before = {_quote(mutant.before)}",
        f"after = {_quote(mutant.after)}",
    ]
    if mutant.occurrence != 1:
        lines.append(f"occurrence = {mutant.occurrence}")
    lines.append('reason = ""')
    return "\n".join(lines)
