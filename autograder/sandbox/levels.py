"""Isolation levels and the mount plan: how strongly the sandbox isolates, and what it shows of the host.

The grader decides here; the sandbox applies. :func:`requested_level` is the level asked for (``namespaces``,
``uid`` or ``none``, capped by ``AUTOGRADER_SANDBOX_LEVEL``); :func:`jail_setup` is the plan the zygote's
first message carries at the ``namespaces`` level (bind mounts, masks over what the grader hides, the
sandbox's ``sys.path``), which ``jail`` carries out inside the zygote; :func:`sandbox_env` is the whole
environment of the sandbox's processes. (Kept apart from ``jail``: that file runs in the sandbox, imported
by path with the standard library only, and must not hold the grader's knowledge of the host.)
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

try:
    import pwd
except ImportError:  # Windows: no accounts to look up (and no `uid` level)
    pwd = None  # type: ignore[assignment]


LEVELS = ("namespaces", "uid", "none")  # strongest first
LEVEL_ENV = "AUTOGRADER_SANDBOX_LEVEL"  # caps the level (the kit's tests use it to try the fallbacks)
# What the sandbox gets of the grader's environment: only what NumPy and torch need.
ENV_PASSED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LD_LIBRARY_PATH")


def requested_level() -> str:
    wanted = os.environ.get(LEVEL_ENV, "namespaces").strip() or "namespaces"
    if wanted not in LEVELS:
        raise ValueError(f"{LEVEL_ENV} must be one of {', '.join(LEVELS)}, not {wanted!r}")
    if wanted == "namespaces" and not sys.platform.startswith("linux"):
        wanted = "uid"
    if wanted == "uid" and _euid() != 0:
        wanted = "none"
    return wanted


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1  # (Windows has no uids)


def weaker(level: str) -> str:
    """The level to try when ``level`` was refused."""
    return "uid" if level == "namespaces" and _euid() == 0 else "none"


def sandbox_ids() -> tuple[int, int]:
    """The unprivileged (uid, gid) the sandbox runs as when the grader is root.

    ``AUTOGRADER_SANDBOX_USER`` names an account; by default each grading
    process takes a uid of its own that no account uses, so that two
    processes of a batch never share one (the `uid` level kills all of a
    uid's processes after each submission).
    """
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    name = os.environ.get("AUTOGRADER_SANDBOX_USER")
    if name:
        user = pwd.getpwnam(name)
        return user.pw_uid, user.pw_gid
    uid = 1_500_000_000 + os.getpid() % 1_000_000
    return uid, uid


def _site_dir(package: str) -> Path:
    """The folder of an installed ``package`` (numpy, torch), resolved."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the sandbox needs {package}, which is not installed here")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def trusted_paths(extra: tuple[Path, ...] = ()) -> list[Path]:
    """What the grader holds that no submission may read: the grading package (its hidden checks), the kit's
    checkout when the package runs from one, and ``extra`` (the reference solutions, which grading names:
    :func:`autograder.grading.sandboxes.course_sandbox`).

    The sandbox shows whole folders of the host (the Python installation, the site-packages of NumPy and
    torch, /usr); a kit installed with ``pip install .`` (``deploy/Containerfile``) or kept under /usr lies
    inside one of them. :func:`jail_setup` hides each of these paths that does behind an empty folder.
    """
    package = Path(__file__).resolve().parent.parent
    paths = [package]
    root = package.parent
    if (root / "pyproject.toml").is_file() and root.name not in ("site-packages", "dist-packages"):
        paths.append(root)  # a checkout: tests, calibration scripts and solutions beside the package
    paths += [Path(path).resolve() for path in extra]
    return [path for path in paths if path.is_dir()]


def _hidden_inside(binds: list[tuple[str, str]], paths: list[Path]) -> list[str]:
    """The paths inside the sandbox at which the bind mounts ``binds`` would show any of ``paths``.

    A bind's source is compared resolved (``/lib`` may be a link). A path that holds another bind's target
    (a Python installed inside a checkout kept under /usr) is not hidden whole, which would hide that bind
    too: its sub-folders are, all but the ones on the way to the target.
    """
    targets = [target.rstrip("/") or "/" for _, target in binds]

    def covering(host: Path, inside: str) -> list[str]:
        if inside in targets:
            return []  # what the sandbox is shown on purpose
        if not any(target.startswith(inside.rstrip("/") + "/") for target in targets):
            return [inside]
        return [
            mask
            for child in sorted(host.iterdir())
            if child.is_dir() and not child.is_symlink()
            for mask in covering(child, f"{inside.rstrip('/')}/{child.name}")
        ]

    inside = []
    for path in paths:
        for source, target in binds:
            real = Path(source).resolve()
            if path.is_relative_to(real):
                relative = path.relative_to(real)
                inside += covering(path, target if str(relative) == "." else f"{target.rstrip('/')}/{relative}")
    return sorted(set(inside))


def jail_setup(flavour: str, trusted: tuple[Path, ...] = ()) -> dict:
    """What the namespaced sandbox sees: read-only Python, the allowed packages, system libraries."""
    base = Path(sys.base_prefix).resolve()
    binds = [(str(base), str(base)), ("/usr", "/usr")]
    masks: list[str] = []  # for the NumPy-only flavour: every other site-packages looks empty
    stdlib = [p for p in sys.path if p and Path(p).resolve().is_relative_to(base)]
    numpy_dir = _site_dir("numpy")
    if flavour == "torch":
        # each site-packages folder at a path of its own inside (as numpy-only's below): a kit kept under
        # /tmp on the host would otherwise have its packages under each submission's private /tmp, out of
        # sight of every module imported after the fork (torch's lazy imports, the learner's own)
        sites = sorted({str(numpy_dir.parent), str(_site_dir("torch").parent)})
        inside = [f"/opt/site-packages-{number}" for number in range(len(sites))]
        binds += list(zip(sites, inside, strict=True))  # (one folder inside per site)
        sys_path = stdlib + inside
    else:  # only numpy itself (and its bundled libraries): torch is not even in the file system
        only = "/opt/numpy-only"
        binds.append((str(numpy_dir), f"{only}/numpy"))
        libs = numpy_dir.parent / "numpy.libs"
        if libs.is_dir():
            binds.append((str(libs), f"{only}/numpy.libs"))
        sys_path = stdlib + [only]
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        masks = [
            str(base / "lib" / version / "site-packages"),
            f"/usr/lib/{version}/site-packages",
            "/usr/lib/python3/dist-packages",
            f"/usr/local/lib/{version}/dist-packages",
            f"/usr/local/lib/{version}/site-packages",
            f"/usr/lib/{version}/dist-packages",
        ]
    for folder in ("/lib", "/lib64", "/lib32", "/bin", "/sbin", "/sys/devices/system/cpu"):
        if os.path.isdir(folder) and not os.path.islink(folder):
            binds.append((folder, folder))
    links = [
        (folder, os.readlink(folder))
        for folder in ("/lib", "/lib64", "/lib32", "/bin", "/sbin")
        if os.path.islink(folder)
    ]
    uid, gid = sandbox_ids()
    work = "/submission"  # the submission's own folder: a path no bind mount lies under
    while any(target == work or target.startswith(work + "/") for _, target in binds):
        work += "_"
    masks = [
        m for m in masks if os.path.isdir(m) and not any(m == site or site.startswith(m + "/") for site in sys_path)
    ]
    masks += _hidden_inside(binds, trusted_paths(trusted))  # the grader's own files, where a bind shows them
    return {
        "level": "namespaces",
        "binds": binds,
        "work": work,
        "masks": masks,
        "links": links,
        "sys_path": sys_path,
        "files": [f for f in ("/etc/ld.so.cache",) if os.path.isfile(f)],
        "devices": [d for d in ("null", "zero", "urandom", "random") if os.path.exists(f"/dev/{d}")],
        "outside_uid": uid,
        "outside_gid": gid,
    }


def sandbox_env() -> dict:
    env = {key: os.environ[key] for key in ENV_PASSED if key in os.environ}
    # TORCHINDUCTOR_CACHE_DIR: torch._dynamo, when something imports it (see libraries._defer_dynamo), makes its
    # cache folder; /tmp exists everywhere (read-only in the zygote, private and writable in each submission)
    env.update(
        PATH="/usr/bin:/bin",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        HOME="/tmp",
        TMPDIR="/tmp",
        TORCHINDUCTOR_CACHE_DIR="/tmp",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    return env
