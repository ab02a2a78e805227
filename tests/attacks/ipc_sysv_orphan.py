"""A worker leaves a System V segment (64 MiB, filled), a message queue and a semaphore set under keys of its own and
dies; a later worker of the same submission looks them up by key. At the `uid` level they would outlive the grading."""
MODULE = "ex1_manual_gradients"
CLASS = "ipc"
MODES = ("grade", "batch", "gradescope", "nbgrader")
HOLD = 64 << 20
SHOWS = ":TRIED:"


def _atk_ipc_key(offset):
    return (int(_ATTACK["marker"][-7:], 16) + offset) & 0x7FFFFFFF


def _atk_ipc_leave():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    libc.shmdt.argtypes = [ctypes.c_void_p]
    made = []
    ident = libc.shmget(_atk_ipc_key(0), ctypes.c_size_t(64 << 20), 0o1666)
    if ident >= 0:
        address = libc.shmat(ident, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(address, 1, 64 << 20)
            libc.shmdt(address)
        made.append("shm")
    else:
        made.append(f"shm-errno-{ctypes.get_errno()}")
    made.append("msg" if libc.msgget(_atk_ipc_key(1), 0o1666) >= 0 else f"msg-errno-{ctypes.get_errno()}")
    made.append("sem" if libc.semget(_atk_ipc_key(2), 1, 0o1666) >= 0 else f"sem-errno-{ctypes.get_errno()}")
    return made


def _atk_ipc_find():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return [name for name, found in (("shm", libc.shmget(_atk_ipc_key(0), 0, 0)), ("msg", libc.msgget(_atk_ipc_key(1), 0)),
                                     ("sem", libc.semget(_atk_ipc_key(2), 0, 0))) if found >= 0]


def _atk_dloss(w, x, y, _orig=dloss):
    flag = f"/tmp/{_ATTACK['marker']}-ipc-left"
    if not _atk_os.path.exists(flag):
        made = _atk_ipc_leave()
        with open(flag, "w") as handle:
            handle.write(",".join(made))
        _atk_os._exit(0)  # the worker dies; what it made is nobody's
    found = _atk_ipc_find()
    if found:
        _atk_win(f"System V objects outlived their worker: {found}")
    raise RuntimeError(f"{_ATTACK['marker']}:TRIED:{_atk_read(flag).decode(errors='replace')}:")


dloss = _atk_dloss
