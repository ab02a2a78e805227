"""One mutation run: choose the mutants, grade them and the reference, judge each against the equivalents."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import registry

from . import equivalents
from .generate import KINDS, Mutant, all_mutants
from .grade import KILLED, SURVIVED, TIMEOUT, Outcome, grade_all

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENTS = ROOT / "scripts" / "mutants_equivalent.toml"
EQUIVALENT = "equivalent"
VERDICTS = (KILLED, TIMEOUT, SURVIVED, EQUIVALENT, "grader error")
ARGUMENT_KINDS = ("frozen", "default")


@dataclass
class Result:
    mutant: Mutant
    outcome: Outcome
    verdict: str  # one of VERDICTS
    entry: equivalents.Entry | None = None


@dataclass
class Run:
    results: list[Result]
    stale: list[tuple[equivalents.Entry, str]] = field(default_factory=list)
    seconds: float = 0.0
    baseline_problems: list[str] = field(default_factory=list)

    @property
    def survivors(self) -> list[Result]:
        return [r for r in self.results if r.verdict == SURVIVED]

    @property
    def grader_errors(self) -> list[Result]:
        return [r for r in self.results if r.verdict == "grader error"]

    @property
    def ok(self) -> bool:
        return not (self.survivors or self.stale or self.baseline_problems or self.grader_errors)


def graded_functions(exercises: list[str] | None = None) -> dict[str, tuple[str, ...]]:
    """exercise -> the functions its checks grade (hidden checks included), from the registry."""
    course = registry.course(include_hidden=True)
    chosen = [course.exercise(name).name for name in exercises] if exercises else list(course.names)
    return {name: course.exercise(name).functions for name in chosen}


def generate(exercises: list[str] | None = None, functions: list[str] | None = None) -> list[Mutant]:
    """Every mutant (all kinds) of the chosen exercises and functions."""
    mutants = all_mutants(registry.solutions_dir(), graded_functions(exercises))
    return [m for m in mutants if not functions or m.function in functions]


def select(mutants: list[Mutant], kinds=KINDS, sample: int | None = None, seed: int = 0) -> list[Mutant]:
    """The mutants of ``kinds``; with ``sample``, that many of the operator mutants (a seeded draw) and all
    the argument mutants (they are few, and each stands for a whole argument)."""
    chosen = [m for m in mutants if m.kind in kinds]
    if sample is None:
        return chosen
    operators = sorted((m for m in chosen if m.kind == "operator"), key=lambda m: m.identity)
    drawn = set(random.Random(seed).sample(range(len(operators)), min(sample, len(operators))))
    keep = {operators[i].identity for i in drawn}
    return [m for m in chosen if m.kind != "operator" or m.identity in keep]


def run(
    mutants: list[Mutant], chosen: list[Mutant], path: Path = EQUIVALENTS, jobs: int = 2, sandbox=None, progress=None
) -> Run:
    """Grade the reference files and ``chosen`` (a subset of ``mutants``, all generated for the same scope)."""
    entries = equivalents.load(path)
    scope = {(m.exercise, m.function) for m in mutants}
    known = {m.identity for m in mutants}
    listed = {e.identity: e for e in entries}
    start = time.perf_counter()
    exercises = list(dict.fromkeys(m.exercise for m in chosen))
    references = [(name, (registry.solutions_dir() / f"{name}.py").read_text(encoding="utf-8")) for name in exercises]
    outcomes = grade_all(
        references + [(m.exercise, m.source) for m in chosen], jobs=jobs, sandbox=sandbox, progress=progress
    )
    problems = [
        f"the reference {name} scores {o.score:g}/{o.max_score:g} ({o.status}): nothing can be judged against it"
        for (name, _), o in zip(references, outcomes, strict=False)  # (the references' outcomes come first)
        if o.status != SURVIVED
    ]
    results = []
    for mutant, outcome in zip(chosen, outcomes[len(references) :], strict=True):
        entry = listed.get(mutant.identity)
        verdict = outcome.status
        if verdict == SURVIVED and entry is not None:
            verdict = EQUIVALENT
        results.append(Result(mutant, outcome, verdict, entry))
    stale = [
        (e, "no such mutant any more (the solution changed?)")
        for e in entries
        if (e.exercise, e.function) in scope and e.identity not in known
    ]
    stale += [
        (r.entry, f"the checks kill it now ({r.verdict}): remove the entry")
        for r in results
        if r.entry is not None and r.verdict in (KILLED, TIMEOUT)
    ]
    return Run(results, stale, time.perf_counter() - start, problems)
