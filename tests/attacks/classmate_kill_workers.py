"""For 3 s, SIGKILL every other sandbox process of the class it can see (the test's own only)."""
MODULE = "ex3_mlp_backprop"
CLASS = "classmates"
MODES = ("batch",)
GROUP = "disruptive"
ORDER = "early"


def _kill_others():
    import signal
    import time
    mine = {os.getpid()} | {pid for pid, _ in _atk_ancestors()}
    killed = set()
    end = time.monotonic() + 3
    while time.monotonic() < end:
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in mine:
                continue
            pid = int(entry)
            if "zygote" in _atk_cmdline(pid) and _atk_owned(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
                except OSError:
                    pass
        time.sleep(0.05)
    return sorted(killed)


import os  # noqa: E402
_KILLED = _kill_others()


def _atk_relu(z, _orig=relu):
    if _KILLED:
        _atk_win(f"killed {_KILLED}")
    return _orig(z)


relu = _atk_relu
