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
