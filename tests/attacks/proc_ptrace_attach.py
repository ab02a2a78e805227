"""PTRACE_ATTACH (through ctypes) to the grader and the zygote, then detach at once."""
MODULE = "ex3_mlp_backprop"
CLASS = "proc"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_relu(z, _orig=relu):
    import ctypes
    import time
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    attached = []
    for pid in [_atk_grader()] + _atk_zygotes():
        if not pid or not _atk_owned(pid):
            continue
        if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
            attached.append(pid)
            time.sleep(0.05)
            try:
                os.waitpid(pid, 0x40000000)  # __WALL
            except OSError:
                pass
            libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
    if attached:
        _atk_win(f"ptrace-attached to {attached}")
    return _orig(z)


import os  # noqa: E402
relu = _atk_relu
