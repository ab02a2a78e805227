"""Setting an environment variable for the length of a block, and putting it back as it was."""

from __future__ import annotations

import contextlib
import os


@contextlib.contextmanager
def environment(name: str, value: str | None):
    """``os.environ[name] = value`` while the block runs (``value`` None: left as it is), then as it was before
    the block, set or not, whatever the block did to it."""
    before = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
