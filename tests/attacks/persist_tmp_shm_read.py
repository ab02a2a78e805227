"""A later submission reads what persist_tmp_shm_write left behind and shows it in its report."""
MODULE = "ex1_manual_gradients"
CLASS = "persistence"
MODES = ("grade", "batch", "gradescope")
ORDER = "late"
PEER = "persist_tmp_shm_write"
LEAKS = ("persist-token-",)


def _atk_dloss(w, x, y, _orig=dloss):
    found = []
    for folder in ("/tmp", "/dev/shm", "/var/tmp", "", "/root"):
        data = _atk_read(f"{folder}/{_ATTACK['peer_marker']}-persist")
        if data:
            found.append(data.decode(errors="replace"))
    if found:
        raise RuntimeError(f"found {found}")
    return _orig(w, x, y)


dloss = _atk_dloss
