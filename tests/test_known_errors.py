"""One table of known errors (autograder/checking/known_errors.py): the runner's general hints and exercise 4's own
words for the same torch errors come from it. Torch's real messages, raised here, get the hint each table gave
before the two tables were one."""

import pytest
import torch

from autograder.checking import StudentException, known_cause, matching_hint, specialised
from autograder.checks.ex4_support import FUNCTION_ERRORS, TORCH_ERRORS, explained


def _raised(action) -> tuple[str, str]:
    try:
        action()
    except Exception as error:  # noqa: BLE001 - torch's own exception, whatever its class
        return type(error).__name__, str(error)
    raise AssertionError("the action raised nothing")


def _inplace_on_leaf():
    torch.ones(2, requires_grad=True).sub_(1)


def _backward_twice():
    w = torch.ones(2, requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    loss.backward()


# torch's error, the general hint (the runner's), exercise 4's
TORCH_CASES = [
    (_inplace_on_leaf, "hint.inplace_leaf", "ex4.hint.no_grad_update"),
    (_backward_twice, "hint.backward_twice", "ex4.hint.recompute"),
    (lambda: (torch.ones(2, requires_grad=True) * 2).backward(), "hint.backward_scalar", "ex4.hint.backward_scalar"),
    (lambda: torch.ones(2).sum().backward(), "hint.no_grad_fn", "ex4.hint.requires_grad"),
    (lambda: torch.nn.Linear(3, 1)(torch.ones(2, 4)), "hint.matmul_shapes", "ex4.hint.linear_shapes"),
]


@pytest.mark.parametrize("action, general, ex4", TORCH_CASES, ids=[case[1] for case in TORCH_CASES])
def test_a_torch_error_gets_the_general_hint_and_exercise_4s_own(action, general, ex4):
    kind, message = _raised(action)
    error = StudentException("ex4_autograd_nn", "train_concise", {"type": kind, "message": message})
    assert known_cause(error) == general
    assert matching_hint(TORCH_ERRORS, kind, message) == ex4
    with pytest.raises(StudentException) as raised:
        explained(lambda: (_ for _ in ()).throw(error))
    assert raised.value.hint == ex4


def test_grad_at_has_its_own_words_for_a_missing_grad_fn():
    kind, message = _raised(lambda: torch.ones(2).sum().backward())
    assert matching_hint(FUNCTION_ERRORS["grad_at"], kind, message) == "ex4.hint.grad_at_requires_grad"


def test_numpys_matmul_error_keeps_its_general_hint_in_exercise_4():
    kind, message = "ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0"
    assert matching_hint(TORCH_ERRORS, kind, message) is None
    assert known_cause(StudentException("ex4_autograd_nn", "f", {"type": kind, "message": message})) == (
        "hint.matmul_shapes"
    )


def test_a_misspelt_hint_is_an_error_not_a_silent_miss():
    with pytest.raises(KeyError, match="hint.backward_twise"):
        specialised({"hint.backward_twise": "ex4.hint.recompute"})
    with pytest.raises(KeyError, match="hint.size_mismatch"):  # (its entries are RuntimeErrors and ValueErrors)
        specialised({"hint.size_mismatch": "ex4.hint.linear_shapes"}, kind="TypeError")
