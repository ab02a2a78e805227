"""Mutation testing of the grading checks: does every wrong change of a solution lose points?

Each mutant is a reference solution file with one change, graded with the
kit's own grader (that exercise's public and hidden checks, in the sandbox).
It is killed when it scores below the reference's full marks (or times
out). Two families (see ``scripts/mutation/generate.py``):

* mutmut's operators over the learner's blocks (between ``# BEGIN SOLUTION``
  and ``# END SOLUTION``) and over the default values of the graded
  functions' signatures;
* for every parameter of every graded function, the argument frozen to the
  first value the checks passed, and to its default value: a check that never
  varies an argument cannot tell whether the function uses it.

Survivors listed in ``scripts/mutants_equivalent.toml`` (each with its reason)
count as equivalent. Exits 1 when a mutant that is not listed there survives,
when an entry there is stale, or when the grader fails on a mutant.

    python scripts/mutants.py                          everything (make mutants)
    python scripts/mutants.py --kind arguments         the argument mutants only (make mutants-args)
    python scripts/mutants.py --exercise ex1 --function fit_line
    python scripts/mutants.py --sample 300 --seed 1    300 operator mutants drawn with seed 1, and every
                                                       argument mutant
    python scripts/mutants.py --list                   the mutants, without grading them
    python scripts/mutants.py --toml                   after the report, a TOML entry for each survivor
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from mutation import equivalents, report  # noqa: E402
from mutation.run import ARGUMENT_KINDS, EQUIVALENTS, generate, run, select  # noqa: E402

KIND_CHOICES = {"all": ("operator", *ARGUMENT_KINDS), "operator": ("operator",), "arguments": ARGUMENT_KINDS}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercise", action="append", help="only this exercise (ex1 or its full name); repeatable")
    parser.add_argument("--function", action="append", help="only this graded function; repeatable")
    parser.add_argument(
        "--kind",
        choices=sorted(KIND_CHOICES),
        default="all",
        help="operator: the library's mutants; arguments: frozen arguments and defaults",
    )
    parser.add_argument("--sample", type=int, help="grade only this many operator mutants, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", "-j", type=int, default=2, help="grading processes (default 2)")
    parser.add_argument("--equivalents", type=Path, default=EQUIVALENTS)
    parser.add_argument("--list", action="store_true", help="list the mutants; grade nothing")
    parser.add_argument("--toml", action="store_true", help="print a TOML entry for each survivor")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    try:
        mutants = generate(args.exercise, args.function)
    except KeyError as error:  # an exercise the course does not have
        print(error.args[0], file=sys.stderr)
        return 2
    chosen = select(mutants, KIND_CHOICES[args.kind], args.sample, args.seed)
    if args.list:
        for m in chosen:
            print(f"{m.exercise}.{m.function} [{m.kind}] {m.diff()}")
        print(f"{len(chosen)} mutants")
        return 0
    if not chosen:
        print("no mutant matches", file=sys.stderr)
        return 2
    exercises = len({m.exercise for m in chosen})
    print(
        f"grading {len(chosen)} mutants and {exercises} reference file(s) (generated in "
        f"{time.perf_counter() - start:.1f} s) with {args.jobs} process(es)...",
        file=sys.stderr,
    )

    def progress(done, total):
        if done % 50 == 0 or done == total:
            print(f"  {done}/{total}", file=sys.stderr, flush=True)

    try:
        result = run(mutants, chosen, args.equivalents, jobs=args.jobs, progress=progress)
    except equivalents.EquivalentsError as error:
        print(error, file=sys.stderr)
        return 2
    print(report.render(result))
    if args.toml and result.survivors:
        print("\n# entries for scripts/mutants_equivalent.toml: only for a mutant no check could ever kill")
        print("\n\n".join(equivalents.skeleton(r.mutant) for r in result.survivors))
    command = "python scripts/mutants.py " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"({command.strip()}: {time.perf_counter() - start:.0f} s in all)")
    return 0 if result.ok else (2 if result.baseline_problems else 1)


if __name__ == "__main__":
    sys.exit(main())
