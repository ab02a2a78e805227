"""checking.source.function_source reads each function's text once per source, as ``ast.get_source_segment`` gives it."""

import ast
from pathlib import Path

from autograder.checking import source as learner_source

from conftest import BUGGY

ROOT = Path(__file__).resolve().parent.parent
ODD = "def f():\r\n    x = '\x0c\u2028é'\r\n    return 1\r\nasync def g(): return 2\ndef f(): return 3\n"


def test_the_same_text_as_get_source_segment():
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "solutions").glob("ex*.py"))]
    sources += [p.read_text(encoding="utf-8") for p in sorted(BUGGY.glob("*.py"))] + [ODD]
    for source in sources:
        tree = ast.parse(source)
        wanted = {node.name: ast.get_source_segment(source, node) for node in tree.body
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert learner_source._function_sources(source) == wanted, source[:200]
    assert learner_source._function_sources(ODD)["f"] == "def f(): return 3"  # the last definition, as Python keeps it


def test_a_file_python_cannot_parse_has_no_functions():
    assert learner_source._function_sources("def f(:\n    pass\n") == {}
