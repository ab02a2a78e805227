"""The course: what exists and what the answers are. The registry discovers the exercises and their checks from files
(``checks/``, ``solutions/``) and declares each check's points (``@check``); ``stubs`` turns a solution into the
learner's stub, ``docstrings`` writes a language's docstrings into an exercise file; ``reference`` loads the
reference solutions for the hidden checks; ``secret`` keys the hidden checks' inputs; ``tables`` reads the
per-exercise tables (``checks/limits/``, ``checks/hidden_points/``); ``environ`` sets an environment variable for a
block and restores it. It may import :mod:`autograder.messages` only (the contract `course`): it knows nothing of how
a submission is graded, run or delivered.
"""
