"""What grading reuses: expected values kept per process (memo.remembered), a long run shared by the checks
of one submission (Session.call(shared=True)), and time limits from the reference's running time."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograder.checking import memo
from autograder.sandbox.client import Limits, Session, StudentException, StudentTimeout

from conftest import EXERCISES

EX2 = next(name for name in EXERCISES if name.startswith("ex2_"))


def test_remembered_runs_once_per_value_and_hands_out_copies():
    runs = []

    @memo.remembered
    def expensive(x, scale=1.0):
        runs.append(1)
        return {"out": x * scale}

    first = expensive(np.arange(3.0), scale=2.0)
    first["out"][0] = 99.0  # a check that changes what it got
    again = expensive(np.arange(3.0), scale=2.0)
    np.testing.assert_array_equal(again["out"], np.array([0.0, 2.0, 4.0]))
    assert len(runs) == 1
    expensive(np.arange(3.0), scale=3.0)  # another value
    expensive(np.arange(3, dtype=np.float32), scale=2.0)  # another dtype
    expensive(np.arange(3.0).reshape(3, 1), scale=2.0)  # another shape
    expensive(torch.arange(3.0), scale=2.0)  # a tensor is not an array
    assert len(runs) == 5
    memo.forget()


def test_remembered_keys_tell_close_values_apart():
    assert memo.key(1) != memo.key(1.0) != memo.key(True)
    assert memo.key(np.array([0.1])) != memo.key(np.array([np.nextafter(0.1, 1.0)]))  # one ulp apart
    assert memo.key(torch.zeros(2)) != memo.key(torch.zeros(2, requires_grad=True))
    assert memo.key(torch.nn.Parameter(torch.zeros(2))) == memo.key(torch.zeros(2, requires_grad=True))
    assert memo.key({"a": 1, "b": 2}) == memo.key({"b": 2, "a": 1})


def test_remembered_runs_every_time_for_what_it_cannot_key():
    runs = []

    @memo.remembered
    def of(thing):
        runs.append(1)
        return 1

    class Opaque:
        pass

    of(Opaque())
    of(Opaque())
    of(lambda: 0)
    assert len(runs) == 3


RANDOM = b"""import random
import torch


def linreg(X, w, b):
    print('computing', X)
    return [random.random(), float(torch.rand(1))]


def squared_loss(y_hat, y):
    raise ValueError('broken on purpose')
"""


def test_a_shared_call_runs_once_with_a_seed_of_its_own(sandbox):
    session = Session(sandbox, {EX2: RANDOM}, Limits())
    try:
        session.begin_check("first")
        one = session.call(EX2, "linreg", 1, 2, 3, shared=True).value
        printed_first = session.printed.text
        session.begin_check("second")
        two = session.call(EX2, "linreg", 1, 2, 3, shared=True).value
        assert two == one  # not run again: the second check reads the first run
        assert session.printed.text == printed_first == "computing 1"  # and sees what it printed
        other = session.call(EX2, "linreg", 5, 2, 3, shared=True).value
        assert other != one  # other arguments: another run
        unshared = session.call(EX2, "linreg", 1, 2, 3).value
        assert unshared != one  # a plain call draws from the check's own seed sequence
        for _ in range(2):  # an error is shared too
            with pytest.raises(StudentException):
                session.call(EX2, "squared_loss", 1, 2, shared=True)
    finally:
        session.close()
    again = Session(sandbox, {EX2: RANDOM}, Limits())
    try:
        again.begin_check("another check name")
        assert again.call(EX2, "linreg", 1, 2, 3, shared=True).value == one  # the seed comes from the call
    finally:
        again.close()


LOOP = b"""def linreg(X, w, b):
    while True:
        pass
"""


def test_a_known_request_is_stopped_at_its_calibrated_limit(sandbox):
    import time

    limits = Limits(call_seconds=10.0, time_factor=20.0, time_floor=0.5)
    session = Session(sandbox, {EX2: LOOP}, limits, reference_seconds={f"{EX2}.linreg": 0.04})
    try:
        started = time.monotonic()
        with pytest.raises(StudentTimeout) as stopped:
            session.call(EX2, "linreg", 1, 2, 3)
        took = time.monotonic() - started
    finally:
        session.close()
    assert stopped.value.detail["seconds"] == pytest.approx(0.8)  # 20 x 0.04 s, not the 10 s cap
    assert took < 5.0, took


EX3 = next(name for name in EXERCISES if name.startswith("ex3_"))
SIMPLE = b"""def linreg(X, w, b):
    return X + w + b
"""
PRINTS_AT_IMPORT = b"""print('loading my file')


def relu(z):
    return z * 2
"""


def _first_checks_of_two_files(sandbox, files, plan):
    session = Session(sandbox, files, Limits(), plan=plan)
    try:
        session.begin_check("a check of ex2")
        first = session.call(EX2, "linreg", 1, 2, 3).value
        started_ahead = (EX3, "public") in session._inits or (EX3, "public") in session._ahead
        session.begin_check("a check of ex3")
        session.retire_others(EX3)
        second = session.call(EX3, "relu", 4).value
        return first, second, session.printed.text, started_ahead
    finally:
        session.close()


def test_the_next_file_started_ahead_gives_what_starting_it_later_gives(sandbox):
    files = {EX2: SIMPLE, EX3: PRINTS_AT_IMPORT}
    ahead = _first_checks_of_two_files(sandbox, files, plan=(EX2, EX3))
    later = _first_checks_of_two_files(sandbox, files, plan=())
    assert ahead[3] and not later[3]  # (the plan is what lets the session look ahead)
    assert ahead[:3] == later[:3] == (6, 8, "loading my file")  # what the import printed: under ex3's first check


def test_ending_a_submission_during_a_look_ahead_leaves_nothing_open(sandbox):
    import threading

    for wait in (0.0, 0.005, 0.02, 0.1):  # ending while it opens, spawns, or after
        session = Session(sandbox, {EX2: SIMPLE, EX3: PRINTS_AT_IMPORT}, Limits(), plan=(EX2, EX3))
        session.begin_check("a check of ex2")
        assert session.call(EX2, "linreg", 1, 2, 3).value == 6
        threading.Event().wait(wait)
        session.close()
        assert not session._inits and not session._workers and not session._spare and not session._ahead
        assert not [t for t in threading.enumerate() if t.name.startswith("look-ahead")]


def test_the_learners_file_is_imported_only_when_its_first_check_asks(sandbox):
    session = Session(sandbox, {EX2: SIMPLE, EX3: PRINTS_AT_IMPORT}, Limits(), plan=(EX2, EX3))
    try:
        session.begin_check("a check of ex2")
        session.call(EX2, "linreg", 1, 2, 3)
        session._join_ahead((EX3, "public"))
        assert (EX3, "public") in session._spare and (EX3, "public") not in session._workers  # started, not imported
        assert session.printed.text == ""  # nothing of ex3 has run
    finally:
        session.close()
