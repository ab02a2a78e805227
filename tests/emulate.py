"""Run a command as the kit meets Windows and macOS, on Linux: no fork, no /proc, a GBK default encoding.

    python tests/emulate.py [--keep-fork] [--keep-proc] [--utf8] -- COMMAND [ARG...]

* **No fork:** a ``sitecustomize.py`` laid over the standard library's folder (an overlay mount seen by this
  command alone) removes ``os.fork``, ``os.forkpty``, ``os.pidfd_open`` and ``signal.pidfd_send_signal``
  from every Python process the command starts, a ``.venv`` created inside it and ``python -I`` included
  (Windows has none of them; macOS has no ``pidfd_open``).
* **No /proc:** a file system of its own is mounted over ``/proc`` (macOS and Windows have none), holding
  only a copy of ``/proc/cpuinfo``: there torch learns which vector instructions the CPU has (macOS and
  Windows tell it through their own interfaces); without it torch falls back to its generic kernels, whose
  float32 rounding moves the last digits of a training curve (grades and messages stay the same).
* **GBK:** a ``zh_CN.GBK`` locale is generated with ``localedef`` into a private folder (``LOCPATH``), and
  ``LANG``/``LC_ALL`` name it with ``PYTHONUTF8=0``: Python's default encoding for files, pipes and file
  names is then GBK, as on a Chinese Windows machine.

Everything happens in a private mount namespace (``unshare --mount``, as root): the machine is unchanged.
``problem()`` says why the emulation cannot run here (not root, no ``unshare``, no overlay, no
``localedef``), for the tests to skip with that reason.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

NO_FORK = '''"""The kit's emulation of Windows and macOS (tests/emulate.py): no fork, no pidfd_open in this Python."""
import os as _os
import signal as _signal

for _name in ("fork", "forkpty", "pidfd_open"):
    if hasattr(_os, _name):
        delattr(_os, _name)
if hasattr(_signal, "pidfd_send_signal"):
    del _signal.pidfd_send_signal
'''
GBK = "zh_CN.GBK"


def stdlib() -> str:
    """The standard library's folder of the Python the kit runs on (a venv's is its base's)."""
    return str(Path(sysconfig.get_path("stdlib")).resolve())


def base_python() -> str:
    """The interpreter a learner would start with: this venv's base Python (no NumPy, torch or pytest)."""
    return getattr(sys, "_base_executable", sys.executable)


@functools.lru_cache(maxsize=1)
def _workspace() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kit-emulation-"))
    (folder / "site").mkdir()
    (folder / "site" / "sitecustomize.py").write_text(NO_FORK, encoding="utf-8")
    (folder / "locale").mkdir()
    shutil.copyfile("/proc/cpuinfo", folder / "cpuinfo")
    return folder


@functools.lru_cache(maxsize=1)
def gbk_env() -> dict:
    """The variables that make GBK Python's default encoding (the locale is generated on first use)."""
    locales = _workspace() / "locale"
    if not (locales / GBK).exists():
        subprocess.run(["localedef", "-i", "zh_CN", "-f", "GBK", str(locales / GBK)], check=True,
                       capture_output=True)
    return {"LOCPATH": str(locales), "LANG": GBK, "LC_ALL": GBK, "PYTHONUTF8": "0"}


@functools.lru_cache(maxsize=1)
def problem() -> str:
    """Why the emulation cannot run on this machine ("" when it can)."""
    if os.geteuid() != 0:
        return "needs root (a private mount namespace)"
    for tool in ("unshare", "localedef", "mount"):
        if shutil.which(tool) is None:
            return f"no {tool} on this machine"
    try:
        gbk_env()
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"no GBK locale could be generated ({exc})"
    probe = subprocess.run(command([sys.executable, "-I", "-c", "import os; print(hasattr(os, 'fork'), "
                                    "os.path.exists('/proc/self'))"]), env=environment(gbk=False),
                           capture_output=True, encoding="utf-8", errors="replace", timeout=60)
    if probe.returncode != 0 or probe.stdout.split() != ["False", "False"]:
        return f"the mount namespace could not be set up: {probe.stderr.strip()[-300:]}"
    return ""


def command(argv: list[str], *, no_fork: bool = True, hide_proc: bool = True) -> list[str]:
    """``argv`` wrapped to run in a private mount namespace without fork and /proc."""
    steps = ["set -e"]
    if no_fork:
        steps.append(f'mount -t overlay overlay -o "lowerdir={_workspace() / "site"}:{stdlib()}" "{stdlib()}"')
    if hide_proc:
        steps += ["mount -t tmpfs -o size=1m,mode=755 emptied /proc", f'cp "{_workspace() / "cpuinfo"}" /proc/cpuinfo',
                  "mount -o remount,ro /proc"]
    steps.append('exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(steps), "sh", *argv]


def environment(gbk: bool = True, **extra: str) -> dict:
    env = dict(os.environ)
    for name in ("LANGUAGE", "LC_MESSAGES", "PYTHONUTF8", "PYTHONIOENCODING", "AUTOGRADER_LANG"):
        env.pop(name, None)
    if gbk:
        env.update(gbk_env())
    env.update(extra)
    return env


def run(argv: list[str], *, cwd, gbk: bool = True, no_fork: bool = True, hide_proc: bool = True,
        timeout: float = 600, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``argv`` emulated; its output is returned as bytes (GBK where ``gbk``: decode it as a terminal would)."""
    return subprocess.run(command(argv, no_fork=no_fork, hide_proc=hide_proc), cwd=cwd, capture_output=True,
                          timeout=timeout, env=env or environment(gbk), **kwargs)


def main(argv: list[str]) -> int:
    flags = argv[:argv.index("--")] if "--" in argv else []
    rest = argv[argv.index("--") + 1:] if "--" in argv else argv
    why = problem()
    if why:
        print(f"emulate: {why}", file=sys.stderr)
        return 2
    return subprocess.call(command(rest, no_fork="--keep-fork" not in flags, hide_proc="--keep-proc" not in flags),
                           env=environment(gbk="--utf8" not in flags))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
