"""What the sandbox's processes load before they serve: NumPy, torch (its compiler put off), the kit's codec.

Run in the sandbox (imported by path, as ``zygote`` is), with the standard library only until :func:`load`:
at the ``namespaces`` level NumPy and torch are found only once the zygote has entered its jail, at the
paths of the mount plan, so they are imported then, once, in the zygote (every worker it forks inherits
them); the kit's ``codec`` is read before isolation (:func:`read_sources`: its file is out of sight after)
and run after. :func:`preload` imports the course's library modules (``PRELOAD``) the same way. After
:func:`load`, ``np``, ``torch`` (None in the NumPy-only flavour) and ``codec`` are this module's attributes.
"""

import importlib
import os
import sys
import tempfile
import traceback
import types

_HERE = os.path.dirname(os.path.abspath(__file__))

np = torch = codec = None  # imported by load(), after isolation


class _NumpyOnly:
    """A meta path finder that refuses torch in the NumPy-only sandbox (first in line)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchgen", "functorch"):
            raise ModuleNotFoundError(
                f"No module named {name!r}: this exercise is NumPy only (torch cannot be imported here)", name=name
            )
        return None


def load(flavour):
    """Import NumPy (and torch for the ``torch`` flavour; the NumPy-only flavour refuses it) and the kit's codec."""
    global np, torch, codec
    # lazy on purpose, not for time: at the `namespaces` level the libraries are found only after isolation,
    # at the paths of the mount plan (``sys_path``); the NumPy-only flavour never imports torch
    import secrets  # noqa: F401 - needed by numpy.random's generators

    import numpy
    import numpy.linalg  # noqa: F401 - loaded now, before a worker may lose the right to read the library files
    import numpy.random  # noqa: F401

    np = numpy
    if flavour == "torch":
        import torch as torch_module
        import torch.nn.functional  # noqa: F401

        torch = torch_module
        _defer_dynamo(torch_module)
    else:
        sys.meta_path.insert(0, _NumpyOnly)
    codec = _module_from_source("codec")


def _defer_dynamo(torch_module):
    """Put off importing ``torch._dynamo`` (the compiler: 1.3 s, as long as torch itself) until it is used.

    Eager code meets it in ``torch.optim`` only: an optimizer's ``__init__``, ``step`` and ``zero_grad``
    import it to call ``torch._dynamo.disable(fn)`` and ``torch._dynamo.graph_break()``, which outside a
    ``torch.compile`` change nothing (``disable`` switches off a compiler that is not running). Until
    something asks for anything else, ``sys.modules["torch._dynamo"]`` is a stand-in that answers those
    two as eager mode does; any other name (``torch.compile``, a submodule) imports the real package in
    its place and is answered from it. Tests: tests/test_untrusted_worker.py (an optimizer's run in the
    sandbox equals the grader's, bit for bit, without the compiler; ``torch._dynamo.config`` still works).
    """
    name = "torch._dynamo"
    if name in sys.modules:
        return
    stand_in = types.ModuleType(name, "torch._dynamo, not imported yet (see libraries._defer_dynamo)")

    def disable(fn=None, recursive=True, *, reason=None, wrapping=True):
        return fn if fn is not None else (lambda inner: inner)

    def graph_break(msg=""):
        return None

    def real(attribute):
        if attribute.startswith("__") and attribute != "__path__":  # (tools that look over sys.modules)
            raise AttributeError(attribute)
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        try:
            module = importlib.import_module(name)
        except BaseException:  # (not importable here): the stand-in goes on serving what eager code needs
            sys.modules.setdefault(name, stand_in)
            raise
        torch_module._dynamo = module
        return getattr(module, attribute)

    stand_in.disable, stand_in.graph_break, stand_in.__getattr__ = disable, graph_break, real
    sys.modules[name] = stand_in
    torch_module._dynamo = stand_in


_SOURCES: dict[str, tuple[str, str]] = {}  # module name -> (path, source)


def read_sources():
    """Read our own helper modules now: after isolation their files may not be readable any more."""
    for name in ("codec",):
        path = os.path.join(_HERE, f"{name}.py")
        with open(path, encoding="utf-8") as handle:
            _SOURCES[name] = (path, handle.read())


def _module_from_source(name):
    path, source = _SOURCES[name]
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - the kit's own file, read above
    return module


def preload(names):
    """Import library modules the exercise's code will need, once, in the zygote (before any fork).

    A module imported here is inherited by every worker; imported in a worker
    it would be imported again for every submission (``torch.optim``'s first
    step imports ``torch._dynamo``, hundreds of modules). Only names the grader
    sends; a name that cannot be imported is skipped (the learner's code then
    meets the same error itself).
    """
    if tempfile.tempdir is None:
        # the zygote's root is read-only; each submission gets its own writable /tmp, and a library
        # that asks for the temporary directory at import (torch._dynamo does) must get that one
        tempfile.tempdir = "/tmp"
    for name in names if isinstance(names, list) else ():
        if isinstance(name, str) and name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the learner's code meets the same error; the zygote's log keeps it
                traceback.print_exc()
