"""The ways the kit is used, one module each: the command line (``cli``, ``launch``), ``watch``, a class in ``batch``
and ``shards``, the gradebook (``lms``, ``export``), ``gradescope``, nbgrader (``nbgrader_grade``, ``notebook``) and
the pre-flight ``doctor``. A channel may import grading, reports, the course, the sandbox's public entry points and
the builders it starts; channels do not import each other (what two of them share lives in :mod:`autograder.grading`
or :mod:`autograder.reports`), except the command line, which dispatches to them.
"""
