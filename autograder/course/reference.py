"""The reference solutions, loaded in the grading process (never in the sandbox).

They come from ``solutions/`` next to the package (a development checkout) or
from ``$AUTOGRADER_SOLUTIONS``. A student release has neither, and only its
public checks, which never ask for them.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from autograder.course import registry

solutions_dir = registry.solutions_dir


def available() -> bool:
    return all((solutions_dir() / f"{name}.py").is_file() for name in registry.names())


@cache
def load(module: str) -> ModuleType:
    path = solutions_dir() / f"{module}.py"
    if not path.is_file():
        raise FileNotFoundError(f"reference solution {path} not found (hidden checks need solutions/)")
    return registry.import_path(path, f"_autograder_reference_{module}")


class Reference:
    """``reference.ex1``, ``reference.ex2``, ...: the solution modules, by the exercise's short name."""

    def __getattr__(self, short: str) -> ModuleType:
        try:
            return load(registry.course(include_hidden=False).exercise(short).name)
        except KeyError:
            raise AttributeError(short) from None
