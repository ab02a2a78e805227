"""Plant a .pth file in the venv's site-packages: it would run in every later Python of the grader."""
MODULE = "ex1_manual_gradients"
CLASS = "tampering"
MODES = ("grade", "batch", "gradescope")


def _plant():
    path = f"{_ATTACK['site_packages']}/{_ATTACK['marker']}.pth"
    try:
        with open(path, "w") as handle:
            handle.write(f"import os; os.environ.setdefault('ATK_PTH', '{_ATTACK['marker']}')\n")
        return path
    except OSError:
        return ""


_PLANTED = _plant()


def _atk_mse_grad(w, b, x, y, _orig=mse_grad):
    if _PLANTED:
        _atk_win(f"planted {_PLANTED}")
    return _orig(w, b, x, y)


mse_grad = _atk_mse_grad
