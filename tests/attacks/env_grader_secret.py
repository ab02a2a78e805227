"""Look for the grader's secret (the key of the hidden inputs): its file beside the hidden checks (the checkout's,
or Gradescope's source folder), and AUTOGRADER_SECRET in any environment this sandbox can read."""
MODULE = "ex1_manual_gradients"
CLASS = "env"
MODES = ("grade", "batch", "gradescope", "nbgrader")
SHOWS = ":LOOKED:"


def _atk_dloss(w, x, y, _orig=dloss):
    import os
    found = []
    for root in (_ATTACK["checkout"], os.path.dirname(_ATTACK["solutions"])):
        path = os.path.join(root, "autograder", "checks", "hidden", "grader_secret")
        if _atk_read(path):
            found.append(path)
    for pid in ["self", "1"] + [p for p in os.listdir("/proc") if p.isdigit()]:
        if b"AUTOGRADER_SECRET" in _atk_read(f"/proc/{pid}/environ"):
            found.append(f"/proc/{pid}/environ")
    if "AUTOGRADER_SECRET" in os.environ:
        found.append("os.environ")
    if found:
        _atk_win(f"the grader's secret is within reach: {found}")
    raise RuntimeError(f"{_ATTACK['marker']}:LOOKED:")


dloss = _atk_dloss
