"""Append to autograder/messages/en.toml (a real attack would turn every failure message into praise)."""
MODULE = "ex3_mlp_backprop"
CLASS = "tampering"
MODES = ("grade", "batch", "gradescope")


def _tamper():
    try:
        with open(_ATTACK["checkout"] + "/autograder/messages/en.toml", "a") as handle:
            handle.write(f"\n# {_ATTACK['marker']} tampered\n")
        return True
    except OSError:
        return False


_TAMPERED = _tamper()


def _atk_relu(z, _orig=relu):
    if _TAMPERED:
        _atk_win("wrote en.toml")
    return _orig(z)


relu = _atk_relu
