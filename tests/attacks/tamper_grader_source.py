"""Append to autograder/grading/runner.py and plant a file among the checks."""
MODULE = "ex2_linear_regression"
CLASS = "tampering"
MODES = ("grade", "batch", "gradescope")


def _tamper():
    done = []
    root = _ATTACK["checkout"]
    for path, mode, text in ((f"{root}/autograder/grading/runner.py", "a", f"\n# {_ATTACK['marker']} tampered\n"),
                             (f"{root}/autograder/checks/public/{_ATTACK['marker']}.txt", "w", "planted\n"),
                             (f"{root}/autograder/{_ATTACK['marker']}_planted.py", "w", "X = 1\n")):
        try:
            with open(path, mode) as handle:
                handle.write(text)
            done.append(path)
        except OSError:
            pass
    return done


_TAMPERED = _tamper()


def _atk_linreg(X, w, b, _orig=linreg):
    if _TAMPERED:
        _atk_win(f"wrote {_TAMPERED}")
    return _orig(X, w, b)


linreg = _atk_linreg
