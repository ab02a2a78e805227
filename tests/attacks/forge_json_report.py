"""A double-forked daemon waits for the JSON report, then rewrites it with full marks."""
MODULE = "ex1_manual_gradients"
CLASS = "forged"
MODES = ("grade", "batch")


def _forge(deadline):
    import json
    import time
    targets = [p for p in _ATTACK["outputs"] if p.endswith(".json")]
    seen = {}
    while time.monotonic() < deadline + 280 and targets:
        for path in targets:
            if os.path.exists(path) and path not in seen:
                seen[path] = time.monotonic()
        ready = [p for p, t in seen.items() if time.monotonic() - t > 1.0]
        for path in ready:
            try:
                with open(path, "w") as handle:
                    json.dump({"score": 100.0, "max_score": 100.0, "isolation": "namespaces",
                               "forged": _ATTACK["marker"], "tests": []}, handle)
            except OSError:
                pass
            targets.remove(path)
            del seen[path]
        time.sleep(0.2)


import os  # noqa: E402
_atk_daemon(_forge, seconds=20)
