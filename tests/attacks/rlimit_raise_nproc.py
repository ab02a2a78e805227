"""Raise RLIMIT_NPROC back up, then fork 150 short-lived processes (limit: 64)."""
MODULE = "ex3_mlp_backprop"
CLASS = "rlimits"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_relu(z, _orig=relu):
    import resource
    import time
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
    children = []
    for _ in range(150):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            _atk_name_process()
            time.sleep(2)
            os._exit(0)
        children.append(pid)
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    if len(children) >= 150:
        _atk_win(f"forked {len(children)} processes")
    return _orig(z)


import os  # noqa: E402
relu = _atk_relu
