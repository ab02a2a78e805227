"""The class `make bench` grades is the mix the issue describes (the benchmark itself is not run here)."""

from __future__ import annotations

import ast
import importlib.util
import sys

from conftest import ROOT


def _bench():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_class_is_70_25_5(tmp_path):
    bench = _bench()
    kinds = bench.build_class(tmp_path / "class", size=40)
    assert kinds == {"correct or nearly": 28, "one or two bugs": 10, "broken": 2}
    folders = sorted(p.name for p in (tmp_path / "class").iterdir())
    assert len(folders) == 40
    solutions = {p.name: p.read_text() for p in (ROOT / "solutions").glob("ex*.py")}
    for folder in (tmp_path / "class").iterdir():
        changed = [p.name for p in folder.glob("ex*.py") if p.read_text() != solutions[p.name]]
        if folder.name.startswith("b"):
            assert 1 <= len(changed) <= 2, (folder.name, changed)
        elif folder.name.startswith("x"):
            assert len(changed) == 1, (folder.name, changed)
        else:
            assert len(changed) <= 1, (folder.name, changed)  # nearly so: prints as it trains
            for name in changed:
                ast.parse((folder / name).read_text())


def test_every_broken_kind_breaks_its_file(tmp_path):
    bench = _bench()
    for kind, (module, change) in bench.BROKEN.items():
        source = change((ROOT / "solutions" / f"{module}.py").read_text())
        if kind == "syntax_error":
            try:
                ast.parse(source)
            except SyntaxError:
                continue
            raise AssertionError("the syntax error parses")
        tree = ast.parse(source)
        if kind == "endless_train":
            trains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "train"]
            assert isinstance(trains[-1].body[0], ast.While), kind
        else:  # at import: the first statement raises or loops
            assert isinstance(tree.body[0], (ast.Raise, ast.While)), kind
    assert set(bench.BROKEN_PLAN) == set(bench.BROKEN)
