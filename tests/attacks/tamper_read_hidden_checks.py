"""A stub submission that looks for the hidden checks wherever an installed kit could lie: every folder on its
sys.path (a kit installed with `pip install .` sits in site-packages), /opt, the checkout, Gradescope's
source folder. Finding one would let it copy their parameters (the grader hides them: levels.trusted_paths)."""
MODULE = "ex2_linear_regression"
CLASS = "tampering"
MODES = ("grade", "batch", "gradescope", "nbgrader")
BASE = "stubs"
SHOWS = ":SEARCHED:"


def synthetic_data(w, b, num_examples):
    import glob
    import os
    import sys

    roots = [*sys.path, "/opt", "/autograder/source", os.path.dirname(_ATTACK["solutions"])]
    found = [path for root in roots if root
             for pattern in ("autograder/checks/hidden/test_*.py", "*/autograder/checks/hidden/test_*.py")
             for path in glob.glob(os.path.join(root, pattern))]
    if found:
        _atk_win(f"hidden checks readable at {found[0]}")
    raise RuntimeError(f"{_ATTACK['marker']}:SEARCHED: {len(roots)} places, no hidden check in sight")
