"""The ways the kit is used, one module each: the command line (``cli``, its arguments in ``cli_args``, ``launch`` which
starts it), the learner's ``submission`` zip (``pack``), ``watch``, a class in ``batch`` and ``shards``, the export
of a graded run to an LMS and a class page (``export``), ``gradescope``, nbgrader (``nbgrader_grade``, ``notebook``)
and the pre-flight ``doctor``. A channel may import grading, reports, the course, the messages, the sandbox's public
entry points and the builders (those it starts, and ``build.notebooks``' ``cell_check`` for nbgrader); channels do
not import each other (what two of them share lives in :mod:`autograder.grading` or :mod:`autograder.reports`),
except the command line, which dispatches to them, and ``launch``, which starts it.
"""
