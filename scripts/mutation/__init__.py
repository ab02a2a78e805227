"""Mutation testing of the grading checks (``make mutants``, ``python scripts/mutants.py``).

``generate`` makes the mutants of the reference solutions, ``grade`` grades
them with the kit's grader, ``run`` judges them against
``scripts/mutants_equivalent.toml`` (``equivalents``), ``report`` prints it.
"""
