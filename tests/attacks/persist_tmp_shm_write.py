"""Leave files in /tmp, /dev/shm and /var/tmp for a later submission to read."""
MODULE = "ex1_manual_gradients"
CLASS = "persistence"
MODES = ("grade", "batch", "gradescope")
ORDER = "early"


def _leave():
    done = []
    for folder in ("/tmp", "/dev/shm", "/var/tmp", "", "/root"):
        path = f"{folder}/{_ATTACK['marker']}-persist"
        try:
            import os
            os.makedirs(folder or "/", exist_ok=True)
            with open(path, "w") as handle:
                handle.write(f"persist-token-{_ATTACK['marker']}")
            done.append(path)
        except OSError:
            pass
    return done


_LEFT = _leave()
