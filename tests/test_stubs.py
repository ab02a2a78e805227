"""Single source: the stripper, and the committed exercises equal the stripped solutions."""

from __future__ import annotations

import ast
import subprocess

import pytest

from autograder.course import registry
from autograder.course.stubs import BEGIN, END, MarkerError, answer_leaks, answer_pieces, strip_solution, write_stubs

from conftest import ROOT, SOLUTIONS

EXERCISES = registry.names()  # discovered from the files, never listed here

GOOD = f'''
def f(x):
    """Doc."""
    y = 1
    {BEGIN}
    return x + y
    {END}
'''


def committed(path: str) -> str | None:
    run = subprocess.run(["git", "-C", str(ROOT), "show", f"HEAD:{path}"], capture_output=True, text=True)
    return run.stdout if run.returncode == 0 else None


@pytest.mark.parametrize("name", EXERCISES)
def test_committed_exercise_equals_stripped_solution(name):
    """What is in git (not the working tree a learner edits) is the stub of the solution."""
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode != 0:
        pytest.skip("not a git checkout with commits")
    in_git = committed(f"exercises/{name}.py")
    assert in_git is not None, f"exercises/{name}.py is not committed: run `make stubs` and commit"
    expected = strip_solution((SOLUTIONS / f"{name}.py").read_text(), name)
    assert in_git == expected, f"exercises/{name}.py is stale: run `make stubs` (FORCE=1 if needed) and commit"


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_keeps_interface_and_hides_answers(name):
    source = (SOLUTIONS / f"{name}.py").read_text()
    stub = strip_solution(source, name)
    assert BEGIN not in stub and END not in stub
    solved = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    stubbed = {n.name: n for n in ast.parse(stub).body if isinstance(n, ast.FunctionDef)}
    assert solved.keys() == stubbed.keys()
    for fname, node in solved.items():
        assert ast.dump(node.args) == ast.dump(stubbed[fname].args), fname
        assert ast.get_docstring(node) == ast.get_docstring(stubbed[fname]), fname
    leaked = answer_leaks(stub, answer_pieces(SOLUTIONS))  # the one rule of the release (stubs.py)
    assert not leaked, f"solution lines left in the stub: {[str(piece) for piece in leaked]}"
    assert stub.count("raise NotImplementedError") == source.count(BEGIN)



def test_hole_names_the_exercise_and_function():
    stub = strip_solution(GOOD, "ex9_demo")
    assert 'raise NotImplementedError("ex9_demo.f: not implemented yet")' in stub
    assert "y = 1" in stub and "return x + y" not in stub


@pytest.mark.parametrize("bad, problem", [
    (f"def f():\n    {BEGIN}\n    {BEGIN}\n    pass\n    {END}\n", "nested"),
    (f"def f():\n    {BEGIN}\n    pass\n", "never closed"),
    (f"def f():\n    pass\n    {END}\n", "without a matching"),
    (f"{BEGIN}\nx = 1\n{END}\n", "outside a function"),
    ("def f():\n    #BEGIN SOLUTION\n    pass\n    # END SOLUTION\n", "looks like a solution marker"),
    ("def f(:\n    pass\n", "does not parse"),
])
def test_stripper_fails_loudly(bad, problem):
    with pytest.raises(MarkerError, match=problem):
        strip_solution(bad, "ex9_demo")


def test_write_stubs_never_loses_edits(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "ex9_demo.py").write_text(GOOD)
    assert [o.action for o in write_stubs(solutions, exercises)] == ["created"]
    assert [o.action for o in write_stubs(solutions, exercises)] == ["unchanged"]
    edited = exercises / "ex9_demo.py"
    edited.write_text(edited.read_text().replace("raise NotImplementedError", "return 42  #"))
    outcome = write_stubs(solutions, exercises)
    assert outcome[0].action == "kept-edits" and "return 42" in edited.read_text()
    forced = write_stubs(solutions, exercises, force=True)[0]
    assert forced.action == "overwritten" and "return 42" in forced.backup.read_text()
    assert "return 42" not in edited.read_text()
    assert forced.backup.parent.parent == tmp_path / ".stubs", "the backup is kept outside exercises/"
    assert [path.name for path in exercises.iterdir()] == ["ex9_demo.py"], "exercises/ holds exercises only"


def test_write_stubs_rewrites_a_stub_it_wrote_itself(tmp_path):
    """A new exercise (its stub not in git yet): when its solution changes, make stubs rewrites the stub it
    wrote without asking, and leaves nothing but exercises in exercises/."""
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "ex9_demo.py").write_text(GOOD)
    assert [o.action for o in write_stubs(solutions, exercises)] == ["created"]
    (solutions / "ex9_demo.py").write_text(GOOD.replace('"""Doc."""', '"""Doc, reworded."""'))
    assert [o.action for o in write_stubs(solutions, exercises)] == ["written"]
    assert "reworded" in (exercises / "ex9_demo.py").read_text()
    (solutions / "ex9_demo.py").write_text(GOOD)  # and back: every stub it wrote is its own
    assert [o.action for o in write_stubs(solutions, exercises)] == ["written"]
    assert [path.name for path in exercises.iterdir()] == ["ex9_demo.py"]


def test_write_stubs_refuses_a_stub_that_gives_an_answer_away(tmp_path):
    """The release's one answer rule (stubs.answer_leaks) holds for make stubs too: nothing is written."""
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "ex9_demo.py").write_text(
        f'def f(x, y):\n    """Returns np.sqrt((x - y) ** 2).sum() / len(x)."""\n'
        f"    {BEGIN}\n    return np.sqrt((x - y) ** 2).sum() / len(x)\n    {END}\n")
    with pytest.raises(MarkerError, match="holds a line of the answers"):
        write_stubs(solutions, exercises)
    assert not exercises.exists()


def test_write_stubs_writes_nothing_when_a_marker_is_broken(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "ex1_ok.py").write_text(GOOD)
    (solutions / "ex2_bad.py").write_text(f"def f():\n    {BEGIN}\n    pass\n")
    with pytest.raises(MarkerError):
        write_stubs(solutions, exercises)
    assert not exercises.exists() or not any(exercises.iterdir())
