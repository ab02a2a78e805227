"""The course's checks, as files: ``public/test_exN.py`` and ``hidden/test_exN.py`` (pytest tests declared with
``@check``, found by :mod:`autograder.course.registry`), what an exercise's public and hidden checks share
(``exN_support``, with a module per concern beside it such as ``ex2_sgd`` and ``ex4_runs``, and ``synthetic``), the
trusted helpers run beside the learner's code in the sandbox (``in_sandbox/``, which import nothing of the kit), each
exercise's time limits (``limits/<exercise>.json``), in a student release its hidden checks' points
(``hidden_points/<exercise>.json``), and ``grading.ini``. A check file imports the kit from
:mod:`autograder.checking` alone (``tests/test_checking_api.py``); nothing imports a check file but the registry.
"""
