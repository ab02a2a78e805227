"""Tell which check is running from inside the learner's function: the seed each request carries (once a public
formula of the check's name) and every string the frames above it hold, compared with every check's name."""
MODULE = "ex1_manual_gradients"
CLASS = "identify"
MODES = ("grade", "batch", "gradescope", "nbgrader")
SHOWS = ":LOOKED:"


def _atk_which_check():
    import random
    import sys
    import zlib
    state = random.getstate()
    for name in _ATTACK["check_names"]:
        base = zlib.crc32(name.encode())
        for counter in range(1, 9):
            if random.Random((base + 7919 * counter) % (2**31)).getstate() == state:
                return f"seed of {name}"
    frame, seen = sys._getframe(2), []
    while frame is not None:
        for value in list(frame.f_locals.values())[:200]:
            if isinstance(value, dict):
                value = " ".join(str(v)[:200] for v in list(value.values())[:50])
            if isinstance(value, str):
                seen.append(value[:2000])
        frame = frame.f_back
    text = "\n".join(seen)
    for name in _ATTACK["check_names"]:
        if name in text:
            return f"{name} in a frame"
    return ""


def _atk_dloss(w, x, y, _orig=dloss):
    found = _atk_which_check()
    if found:
        _atk_win(f"recognised the running check: {found}")
    raise RuntimeError(f"{_ATTACK['marker']}:LOOKED:")


dloss = _atk_dloss
