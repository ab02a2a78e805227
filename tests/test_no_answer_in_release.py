"""No substantial line of a reference answer reaches a student release, in any file, hints included.

The one rule is :mod:`autograder.course.stubs`' (its comment "no answer line in a release" says it in full):

* the answer lines are those between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in ``solutions/*.py``;
* the pieces of a line are the line and what it computes (the value of an assignment, a return or a yield,
  the arguments of a call made for its effect);
* a piece is substantial from ``MIN_CHARS`` characters without spaces and ``MIN_NODES`` syntax nodes on: the
  formulas and library names the docstrings state themselves stay below (``X @ w + b``, ``w -= lr * dw``,
  ``trainer.zero_grad()``, ``with torch.no_grad():``);
* a piece matches with any spacing, ``0.0`` as ``0``, ``'`` as ``"``, and any name in place of a name that a
  loop of the answer binds (``params[k] -= lr * grads[k]``).

It holds for every file of both releases: exercise files, README, Makefile, the grader's modules, the public
checks and their helpers, and the message catalogues with every hint. ``build_release`` refuses to build a
release that breaks it; this test builds both releases, as ``make release`` does, and looks again. (It
replaces two tests that disagreed: one left the catalogues out, the other compared whole lines only.)
"""

from __future__ import annotations

import pytest

from autograder.course.stubs import MIN_CHARS, MIN_NODES, _pieces, answer_leaks, answer_pieces

from conftest import SOLUTIONS


@pytest.fixture(scope="module")
def pieces():
    return answer_pieces(SOLUTIONS)


def _substantial(line: str) -> bool:
    return bool(_pieces(line))


def test_the_substance_rule():
    assert (MIN_CHARS, MIN_NODES) == (15, 7)
    for line in ("yield features[batch_indices], labels[batch_indices]", "params[key] -= lr * grads[key]",
                 "losses.append(mse_loss(y_hat, y))", "param -= lr * param.grad / batch_size",
                 "for start in range(0, n, batch_size):", "return self.output(torch.relu(self.hidden(X)))"):
        assert _substantial(line), line
    # what the docstrings say themselves, and what any correct answer looks like
    for line in ("return X @ w + b", "A1 = act(Z1)", "w -= lr * dw", "x -= lr * x.grad", "trainer.zero_grad()",
                 "with torch.no_grad():", "for _ in range(epochs):", "random.shuffle(indices)",
                 "return point.grad", "s = sigmoid(z)"):
        assert not _substantial(line), line


def test_a_piece_is_found_however_it_is_written(pieces):
    def found(text):
        return sorted({piece.line for piece in answer_leaks(text, pieces)})

    assert found("then `params[k] -= lr * grads[k]` for every key") == ["params[key] -= lr * grads[key]"]
    assert found("Update in place: `p -= lr*p.grad/batch_size`.") == ["param -= lr * param.grad / batch_size"]
    assert found("yield features[batch_indices],\n      labels[batch_indices]") == [
        "yield features[batch_indices], labels[batch_indices]"]
    assert found("append `float(squared_loss(linreg(features, w, b), labels).mean())`") == [  # the value of a line
        "l = squared_loss(linreg(X, w, b), y)",  # (and, with X and y the loop's names, another line's)
        "losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))"]
    assert found("torch.normal(0, 0.01, y.shape)") == ["y += torch.normal(0.0, 0.01, y.shape)"]  # 0 for 0.0
    assert found("loop with for i in range(0, num_examples, batch_size)") == [
        "for start in range(0, num_examples, batch_size):"]
    # a name bound by an assignment is not free, a name is matched whole, and a formula of a docstring is free
    assert found("yield features[j], labels[j]") == []
    assert found("totallosses.append(mse_loss(y_hat, y))") == []
    assert found("dloss/dw = 2 * (w * x - y) * x") == []


def test_every_answer_line_of_substance_is_covered(pieces):
    """The rule selects most of the answers' lines: the ones it leaves are the short formulas and idioms."""
    from autograder.course.stubs import solution_bodies

    lines = {line.split("  #")[0] for path in SOLUTIONS.glob("ex*.py")
             for line in solution_bodies(path.read_text(encoding="utf-8"))}
    assert len({piece.line for piece in pieces}) > len(lines) / 2, "the rule should select most answer lines"


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    from autograder.build.bundles import RELEASE_LANGUAGES, build_release, release_name

    dist = tmp_path_factory.mktemp("dist")
    for lang in RELEASE_LANGUAGES:
        build_release(dist, lang)  # (it refuses to build a release with a leak: this looks again)
    return {lang: dist / release_name(lang) for lang in RELEASE_LANGUAGES}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_answer_line_in_any_file_of_the_release(releases, pieces, lang):
    found = []
    files = [path for path in sorted(releases[lang].rglob("*")) if path.is_file()]
    assert any("messages" in path.parts for path in files), "the catalogues are part of the release"
    for path in files:
        for piece in answer_leaks(path.read_text(encoding="utf-8", errors="ignore"), pieces):
            found.append(f"{path.relative_to(releases[lang])} holds {piece}")
    assert not found, "answer lines in the student release:\n" + "\n".join(found)


def test_a_release_with_a_leaking_hint_is_not_built(tmp_path, monkeypatch):
    """``make release`` stops on a hint that hands over a line, naming the file and the line."""
    from autograder.build import bundles

    drop_hidden_titles = bundles._drop_hidden_titles

    def with_a_leak(catalogues):  # (runs on the release's copy of the catalogues, before the release is checked)
        drop_hidden_titles(catalogues)
        with open(catalogues / "en" / "ex3_mlp_backprop.toml", "a", encoding="utf-8") as handle:
            handle.write('\n[ex3.leak]\nupdate = "Do `params[k] -= lr * grads[k]`."\n')

    monkeypatch.setattr(bundles, "_drop_hidden_titles", with_a_leak)
    with pytest.raises(bundles.BuildError, match=r"ex3_mlp_backprop\.toml holds a line of the answers: "
                                                 r"ex3_mlp_backprop: params\[key\] -= lr \* grads\[key\]"):
        bundles.build_release(tmp_path, "en")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_hidden_check_is_named_in_the_release(releases, lang):
    """Neither the name nor the title (in any language) of a hidden check, nor the grader's secret, is in a release;
    the public checks keep their Chinese titles."""
    from autograder.course import registry
    from autograder.build.bundles import hidden_names

    names = hidden_names()
    found = []
    for path in sorted(releases[lang].rglob("*")):
        if path.is_file():
            content = path.read_text(encoding="utf-8", errors="ignore")
            found += [f"{path.relative_to(releases[lang])}: {name}" for name in names if name in content]
            assert "grader_secret" not in path.name, path
    assert not found, found
    catalogues = "".join(p.read_text(encoding="utf-8") for p in (releases[lang] / "autograder" / "messages" /
                                                                  "zh_CN").glob("*.toml"))
    public = [c.test_id for c in registry.course(include_hidden=True).checks if c.visibility == "public"]
    assert all(f"{test_id} = " in catalogues for test_id in public)
