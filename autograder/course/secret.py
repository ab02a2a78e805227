"""The grader's secret: the key of the hidden checks' inputs and of every seed sent to a submission.

A hidden check seeds its inputs with :func:`hidden_seed` in place of a literal::

    rng = np.random.default_rng(hidden_seed(101))          # not default_rng(101)
    generator = torch.Generator().manual_seed(hidden_seed(202))
    check_tiny_forward(student, n_in=3, n_hidden=5, n=7, seed=hidden_seed(402))

so that reading the kit's source (it is public) tells nobody which inputs the
hidden checks use, and the seeds each request carries into the sandbox
(``client.Session.begin_check``) are keyed too: they no longer tell the
learner's code which check is running. The secret itself never enters the
sandbox (nothing of the grader's environment or files does) and never appears
in any output.

Where it comes from, first found first:

1. ``$AUTOGRADER_SECRET`` (any text): for a grader whose installation is
   read-only and who wants the same inputs on several machines;
2. the file ``$AUTOGRADER_SECRET_FILE``, created on first use if missing;
3. ``autograder/checks/hidden/grader_secret`` beside the hidden checks: 32
   random bytes (hex) written on first use, mode 0600 (a `uid`-level sandbox
   runs as another uid and cannot read it), kept out of git (``.gitignore``).
   ``make gradescope`` copies it into the bundle (mode 0600), so Gradescope
   grades with the instructor's inputs; ``batch`` and nbgrader's autograde run
   in the installation itself and read it there. If that folder is read-only
   (a kit installed by ``pip install .`` as another user), the file is
   ``$XDG_CONFIG_HOME/backprop-kit/grader_secret`` (``~/.config/...``) instead.

An installation without hidden checks (a student release) has nothing to
hide: its key is a fixed public one, so that a learner's ``make grade`` gives
the same result on every machine. Deleting the file draws new hidden inputs
(do so before accepting submissions again once hidden results, whose messages
may show expected values, have been published).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets as _random
from pathlib import Path

ENV = "AUTOGRADER_SECRET"
FILE_ENV = "AUTOGRADER_SECRET_FILE"
FILE_NAME = "grader_secret"
HIDDEN = Path(__file__).resolve().parent.parent / "checks" / "hidden"
PUBLIC_KEY = b"backprop-kit public key: this installation has no hidden checks"
SEED_RANGE = 2**31  # a seed fits every generator (NumPy's legacy one takes < 2**32, and checks add small offsets)


def _file_secret(path: Path) -> bytes:
    """The secret kept in ``path``; drawn and written there first (mode 0600) if the file does not exist.

    Written whole under another name and then linked in place, so that two processes starting at once
    (a batch's workers on a fresh clone) never read a half-written file: the second link fails and that
    process reads the first one's secret.
    """
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{_random.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(_random.token_hex(32) + "\n")
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink(missing_ok=True)
    try:  # a copy whose mode was widened (an archive unpacked with the umask): ours again only
        if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
            path.chmod(0o600)
    except OSError:
        pass
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path} is empty: delete it (a new secret is drawn) or write one")
    return value.encode()


def location() -> Path | None:
    """Where this installation's secret file is (or will be); None when it comes from the environment or
    the installation has no hidden checks."""
    if os.environ.get(ENV):
        return None
    if os.environ.get(FILE_ENV):
        return Path(os.environ[FILE_ENV])
    if not HIDDEN.is_dir():
        return None
    if os.access(HIDDEN, os.W_OK) or (HIDDEN / FILE_NAME).is_file():
        return HIDDEN / FILE_NAME
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "backprop-kit"
    return config / FILE_NAME


@functools.lru_cache(maxsize=1)
def secret() -> bytes:
    """This installation's secret (see the module docstring); read once per process."""
    if os.environ.get(ENV):
        return os.environ[ENV].encode()
    path = location()
    if path is None:
        return PUBLIC_KEY
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return _file_secret(path)


def key(purpose: str) -> bytes:
    """A 32-byte key for one use of the secret (``purpose`` names it), never the secret itself."""
    return hmac.new(secret(), f"backprop-kit:{purpose}".encode(), hashlib.sha256).digest()


def hidden_seed(literal: int) -> int:
    """The seed a hidden check uses where it would have written ``literal``: the same for the same literal
    in this installation, unknown to anyone without its secret (see the module docstring)."""
    digest = hmac.new(key("hidden-inputs"), str(int(literal)).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "little") % SEED_RANGE
