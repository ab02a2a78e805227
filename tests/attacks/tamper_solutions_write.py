"""Append to the reference solutions in the grader's checkout (a real attack would rewrite them)."""
MODULE = "ex1_manual_gradients"
CLASS = "tampering"
MODES = ("grade", "batch", "gradescope")


def _tamper():
    import glob
    done = []
    for path in glob.glob(_ATTACK["solutions"] + "/*.py"):
        try:
            with open(path, "a") as handle:
                handle.write(f"\n# {_ATTACK['marker']} tampered\n")
            done.append(path)
        except OSError:
            pass
    return done


_TAMPERED = _tamper()


def _atk_dloss(w, x, y, _orig=dloss):
    if _TAMPERED:
        _atk_win(f"wrote {_TAMPERED}")
    return _orig(w, x, y)


dloss = _atk_dloss
