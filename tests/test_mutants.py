"""Mutation testing of the checks (scripts/mutants.py): the tool itself, then its verdict on the checks.

The two slow tests grade every mutant (about 500, two minutes on one core) and
fail with the list of survivors: each is a change of a reference solution
that keeps full marks, so a check to add or to strengthen (or, when no input
the docstring allows could tell, an entry in scripts/mutants_equivalent.toml).
"""

from __future__ import annotations

import ast
import dataclasses
import sys

import pytest

from conftest import COURSE, ROOT, SOLUTIONS

sys.path.insert(0, str(ROOT / "scripts"))

from mutation import equivalents, report  # noqa: E402
from mutation.generate import FROZEN_HELPER, solution_blocks  # noqa: E402
from mutation.grade import KILLED, TIMEOUT  # noqa: E402
from mutation.run import ARGUMENT_KINDS, EQUIVALENT, EQUIVALENTS, generate, run  # noqa: E402


@pytest.fixture(scope="module")
def mutants():
    return generate()


def _find(mutants, exercise, function, after):
    found = [m for m in mutants if (m.exercise, m.function, m.after) == (exercise, function, after)]
    assert len(found) == 1, f"expected one mutant of {exercise}.{function} giving {after!r}, found {len(found)}"
    return found[0]


def _graded_parameters() -> dict[tuple[str, str, str], bool]:
    """(exercise, graded function, "method.parameter") -> whether it has a default, for every parameter of
    every graded function (of every method of a graded class), read from the solutions with ast."""
    wanted = {}
    for exercise in COURSE.exercises:
        tree = ast.parse((SOLUTIONS / f"{exercise.name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name not in exercise.functions:
                continue
            methods = [node] if isinstance(node, ast.FunctionDef) else \
                [n for n in node.body if isinstance(n, ast.FunctionDef)]
            for method in methods:
                args = method.args
                positional = [*args.posonlyargs, *args.args]
                defaults = {a.arg for a in positional[len(positional) - len(args.defaults):]}
                defaults |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None}
                for arg in [*positional, *args.kwonlyargs, args.vararg, args.kwarg]:
                    if arg is not None and arg.arg != "self":
                        wanted[(exercise.name, node.name, f"{method.name}.{arg.arg}")] = arg.arg in defaults
    return wanted


def _first_statement(function: ast.FunctionDef) -> str:
    return ast.unparse(function.body[1] if ast.get_docstring(function) is not None else function.body[0])


def test_every_parameter_of_every_graded_function_has_argument_mutants_that_are_valid_python(mutants):
    made: dict[str, set] = {"frozen": set(), "default": set()}
    for mutant in (m for m in mutants if m.kind in ARGUMENT_KINDS):
        tree = ast.parse(mutant.source)  # valid Python
        owner = next(node for node in tree.body if getattr(node, "name", None) == mutant.function)
        methods = [owner] if isinstance(owner, ast.FunctionDef) else \
            [n for n in owner.body if isinstance(n, ast.FunctionDef)]
        # the replacement is the first statement the function runs (after its docstring), in one method
        changed = [method for method in methods if _first_statement(method) == ast.unparse(ast.parse(mutant.after))]
        assert len(changed) == 1, mutant.diff()
        if mutant.kind == "frozen":
            assert any(isinstance(n, ast.FunctionDef) and n.name == "_frozen" for n in tree.body)
        name = mutant.after.split(" = ", 1)[0]
        made[mutant.kind].add((mutant.exercise, mutant.function, f"{changed[0].name}.{name}"))
    wanted = _graded_parameters()
    assert made["frozen"] == set(wanted)
    assert made["default"] == {key for key, has_default in wanted.items() if has_default}


def test_library_mutants_change_one_learner_block_or_one_default_each(mutants):
    operators = [m for m in mutants if m.kind == "operator"]
    assert len(operators) > 300
    assert len({m.source for m in operators}) == len(operators)
    assert len({m.identity for m in mutants}) == len(mutants)
    for mutant in operators:
        original = (SOLUTIONS / f"{mutant.exercise}.py").read_text(encoding="utf-8")
        compile(mutant.source, mutant.exercise, "exec")
        old, new = original.splitlines(), mutant.source.splitlines()
        changed = [number for number, (a, b) in enumerate(zip(old, new), 1) if a != b]
        assert changed and len(old) == len(new), mutant.diff()
        in_block = all(any(a <= n <= b for a, b in solution_blocks(original)) for n in changed)
        in_signature = changed == [mutant.line] and old[mutant.line - 1].lstrip().startswith("def ")
        assert in_block or in_signature, mutant.diff()


def test_the_frozen_helper_returns_the_first_value_ever_after():
    namespace: dict = {}
    exec(FROZEN_HELPER, namespace)  # noqa: S102 - the kit's own helper text
    frozen = namespace["_frozen"]
    first = [1.0, 2.0]
    assert frozen("f.x", first) is first  # the first call gets its own argument
    first.append(3.0)  # changed in place afterwards: the constant is the value as it was first passed
    again = frozen("f.x", [9.0])
    assert again == [1.0, 2.0] and again is not first
    assert frozen("g.x", 5) == 5 and frozen("g.x", 6) == 5


def test_the_equivalents_file_names_existing_mutants_each_with_a_reason(mutants):
    entries = equivalents.load(EQUIVALENTS)
    known = {m.identity for m in mutants}
    assert entries, "scripts/mutants_equivalent.toml lists no equivalent mutant"
    for entry in entries:
        assert entry.identity in known, f"stale entry: {entry.label()}"
        assert len(entry.reason) > 20, f"say why no check can kill {entry.label()}"


def test_a_known_bad_mutant_is_killed_and_a_known_equivalent_recognised(sandbox, mutants, tmp_path):
    bad = _find(mutants, "ex1_manual_gradients", "dloss", "return 3 * (w * x - y) * x")
    same = _find(mutants, "ex3_mlp_backprop", "relu_grad", "return (z > 0).astype(None)")
    listed = tmp_path / "equivalent.toml"
    ghost = equivalents.Entry("ex3_mlp_backprop", "relu_grad", "return z", "return -z", "no such line")
    listed.write_text("\n\n".join(equivalents.skeleton(m).replace('reason = ""', 'reason = "said equivalent"')
                                  for m in (same, bad, ghost)) + "\n")
    endless = dataclasses.replace(bad, after="while True: pass", source=bad.source.replace(
        "return 3 * (w * x - y) * x", "while True:\n        pass"))
    result = run(mutants, [bad, same, endless], listed, sandbox=sandbox)
    verdicts = {r.mutant.identity: r.verdict for r in result.results}
    assert verdicts == {bad.identity: KILLED, same.identity: EQUIVALENT, endless.identity: TIMEOUT}
    stale = {entry.identity: why for entry, why in result.stale}
    assert set(stale) == {bad.identity, ghost.identity}, stale  # listed but killed; listed but gone
    assert not result.ok and not result.survivors and not result.baseline_problems
    assert "stale" in report.render(result)


def test_the_command_lists_the_mutants_without_grading(capsys):
    import mutants as command

    assert command.main(["--list", "--exercise", "ex1", "--function", "dloss"]) == 0
    out = capsys.readouterr().out
    assert "ex1_manual_gradients.dloss [frozen]" in out and "ex1_manual_gradients.dloss [operator]" in out


def _judge(result) -> None:
    """Fail with the table and every survivor (each a check to add), not with pytest's view of the objects."""
    if not result.ok:
        pytest.fail(f"{report.table(result)}\n{report.survivors(result)}\n\n{report.summary(result)}", pytrace=False)


@pytest.mark.slow
def test_every_frozen_argument_and_default_loses_points(sandbox, mutants):
    """Issue 20: every argument that changes a graded function's result is varied by some check."""
    chosen = [m for m in mutants if m.kind in ARGUMENT_KINDS]
    result = run(mutants, chosen, sandbox=sandbox)
    _judge(result)


@pytest.mark.slow
def test_every_library_mutant_is_killed_or_listed_as_equivalent(sandbox, mutants):
    chosen = [m for m in mutants if m.kind == "operator"]
    result = run(mutants, chosen, sandbox=sandbox)
    _judge(result)
