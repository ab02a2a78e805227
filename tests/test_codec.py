"""The plain-data codec: round trips, and refusal of malformed or oversized input."""

from __future__ import annotations

import base64
import socket

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.sandbox import codec

DTYPES = st.sampled_from(["float64", "float32", "int64", "int32", "uint8", "bool"])


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(dtype=DTYPES, shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5),
                  elements={"allow_nan": True, "allow_infinity": True}))
def test_arrays_round_trip_bit_for_bit(array):
    back = codec.decode(codec.encode(array))
    assert isinstance(back, np.ndarray) and back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


@settings(max_examples=60, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers(-2**60, 2**60) | st.text(max_size=20)
    | st.floats(allow_nan=False, width=64, min_value=-1e300, max_value=1e300),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12))
def test_plain_values_round_trip(value):
    assert codec.decode(codec.encode(value)) == value


def test_tensor_keeps_metadata():
    param = torch.ones(2, 1, requires_grad=True)
    param.grad = torch.full((2, 1), 3.0)
    back = codec.decode(codec.encode(param * 2))
    assert back.dtype == "torch.float32" and back.requires_grad and not back.is_leaf and back.grad_fn == "MulBackward0"
    leaf = codec.decode(codec.encode(param))
    np.testing.assert_array_equal(leaf.grad.values, np.full((2, 1), 3.0, dtype=np.float32))
    rebuilt = codec.decode(codec.encode(param), make_tensors=True)
    assert rebuilt.requires_grad and torch.equal(rebuilt.grad, param.grad)


def test_non_finite_floats_and_numpy_scalars():
    assert np.isnan(codec.decode(codec.encode(float("nan"))))
    assert codec.decode(codec.encode(np.float64(2.5))) == 2.5
    assert codec.encode(np.float32(1.5))["py"] == "numpy.float32"


def test_unknown_objects_become_opaque():
    back = codec.decode(codec.encode(object()))
    assert isinstance(back, codec.Opaque) and back.type_name == "object"
    assert isinstance(codec.decode(codec.encode(np.zeros(3, dtype=complex))), codec.Opaque)


@pytest.mark.parametrize("bad", [
    {"t": "ndarray", "dtype": "object", "shape": [1], "data": ""},
    {"t": "ndarray", "dtype": "float64", "shape": [2], "data": base64.b64encode(b"x" * 8).decode()},
    {"t": "ndarray", "dtype": "float64", "shape": [10**9], "data": ""},
    {"t": "ndarray", "dtype": "float64", "shape": [-1], "data": ""},
    {"t": "pickle", "data": "gASVAAAAAAAAAAAu"},
    {"t": "fn", "name": "os.system"},
    {"t": "int", "v": "1"},
    ["not", "a", "dict"],
])
def test_malformed_data_is_refused(bad):
    with pytest.raises(codec.ProtocolError):
        codec.decode(bad)


def test_framing_refuses_oversized_messages():
    left, right = socket.socketpair()
    with left, right:
        left.sendall((codec.MAX_MESSAGE_BYTES + 1).to_bytes(4, "big"))
        with pytest.raises(codec.ProtocolError):
            codec.receive(right)
