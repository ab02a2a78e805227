"""The plain-data codec: round trips, and refusal of malformed or oversized input."""

from __future__ import annotations

import base64
import json
import resource
import socket
import struct
import threading
import time
import tracemalloc

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


# ----------------------------------------------------------------- the grader believes only bytes


def _array(values) -> dict:
    values = np.ascontiguousarray(values)
    return {"t": "ndarray", "dtype": values.dtype.name, "shape": list(values.shape),
            "data": base64.b64encode(values.tobytes()).decode()}


def test_tensor_dtype_comes_from_the_bytes_not_the_message():
    """A worker that claims float32 for float64 data gets float64 (decode and through the socket)."""
    forged = {"t": "tensor", "array": _array(np.arange(6.0).reshape(3, 2)), "dtype": "torch.float32",
              "requires_grad": False, "is_leaf": True, "grad_fn": None}
    back = codec.decode(forged)
    assert back.dtype == "torch.float64" and back.values.dtype == np.float64
    left, right = socket.socketpair()
    with left, right:
        codec.send(left, {"ok": True, "result": forged})
        assert codec.decode(codec.receive(right)["result"]).dtype == "torch.float64"
    # relabelling the bytes instead does not match the byte count (or the shape the check wants)
    relabelled = dict(forged, array=dict(forged["array"], dtype="float32"))
    with pytest.raises(codec.ProtocolError):
        codec.decode(relabelled)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.bool, torch.uint8])
def test_remote_dtype_names_match_torch(dtype):
    assert codec.decode(codec.encode(torch.zeros(2, dtype=dtype))).dtype == str(dtype)


class LyingTensor(torch.Tensor):
    """float64 data that says it is float32."""

    @property
    def dtype(self):
        return torch.float32


class LyingArray(np.ndarray):
    """An ndarray subclass (its dtype could lie just as well)."""


def test_tensor_subclasses_are_not_read():
    lying = torch.zeros(3, 2, dtype=torch.float64).as_subclass(LyingTensor)
    assert lying.dtype == torch.float32  # the lie works on the worker's side
    encoded = codec.encode(lying)
    assert encoded["t"] == "other" and "LyingTensor" in encoded["type"]
    assert isinstance(codec.decode(encoded), codec.Opaque)
    inside = codec.decode(codec.encode((lying, [lying])))
    assert isinstance(inside[0], codec.Opaque) and isinstance(inside[1][0], codec.Opaque)
    # a subclass smuggled in as a gradient is not read either
    param = torch.zeros(2, requires_grad=True)
    param.grad = torch.ones(2, dtype=torch.float32).as_subclass(LyingTensor)
    assert isinstance(codec.decode(codec.encode(param)).grad, codec.Opaque)


def test_parameters_and_ndarray_subclasses():
    param = torch.nn.Parameter(torch.ones(2, 3))
    back = codec.decode(codec.encode(param))
    assert isinstance(back, codec.RemoteTensor) and back.dtype == "torch.float32" and back.requires_grad
    assert isinstance(codec.decode(codec.encode(np.ma.masked_array([1.0, 2.0]))), codec.Opaque)
    assert isinstance(codec.decode(codec.encode(np.zeros(2).view(LyingArray))), codec.Opaque)


def test_too_large_tensor_is_opaque_not_a_broken_message():
    encoded = codec.encode(torch.zeros(codec.MAX_ELEMENTS + 1))
    assert encoded["t"] == "other"
    assert isinstance(codec.decode(encoded), codec.Opaque)


# ----------------------------------------------------------------- malformed messages are refused


def _receive_bytes(payload: bytes, length: int | None = None):
    left, right = socket.socketpair()
    with left, right:
        sender = threading.Thread(target=_send_quietly, args=(left, struct.pack("!I", len(payload) if length is None else length) + payload))
        sender.start()
        try:
            return codec.receive(right, deadline=time.monotonic() + 10)
        finally:
            right.close()
            sender.join()


def _send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:  # the receiver stopped reading
        pass


HOSTILE_PAYLOADS = {
    "deeply nested list": b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "deeply nested object": b'{"a": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001,
    "nested just past the cap": b'{"a": ' + b"[" * codec.MAX_JSON_DEPTH + b"]" * codec.MAX_JSON_DEPTH + b"}",
    "5000-digit integer": b'{"ok": ' + b"9" * 5000 + b"}",
    "30-digit integer": b'{"ok": true, "result": {"t": "int", "v": ' + b"1" * 30 + b"}}",
    "huge float": b'{"ok": true, "result": {"t": "float", "v": 1e400}}',
    "huge float in a shape": b'{"ok": true, "result": {"t": "ndarray", "dtype": "float64", "shape": [1e999], "data": ""}}',
    "NaN": b'{"ok": NaN}',
    "Infinity in a list": b'{"ok": true, "args": [-Infinity]}',
    "not UTF-8": b'{"ok": "\xff\xfe"}',
    "not JSON": b"{'ok': True}",
    "truncated": b'{"ok": true, "result": {"t"',
    "empty": b"",
    "not an object": b"[1, 2, 3]",
    "a bare string": b'"ok"',
}


@pytest.mark.parametrize("name", list(HOSTILE_PAYLOADS))
def test_hostile_payloads_are_protocol_errors(name):
    with pytest.raises(codec.ProtocolError):
        _receive_bytes(HOSTILE_PAYLOADS[name])


def test_largest_legitimate_message_fits_four_times():
    """The synthetic_data answer (20000 x 2 and 20000 x 1 float32) is the largest message; the cap is 4x it."""
    X, y = torch.zeros(20000, 2), torch.zeros(20000, 1)
    message = {"ok": True, "result": codec.encode((X, y))}
    size = len(json.dumps(message).encode())
    assert 4 * size <= codec.MAX_MESSAGE_BYTES < 5 * size
    assert 4 * X.numel() <= codec.MAX_ELEMENTS
    back = _receive_bytes(json.dumps(message).encode())
    assert codec.decode(back["result"])[0].shape == (20000, 2)
    # the largest array that may be carried does fit in a message
    biggest = {"ok": True, "result": codec.encode(np.zeros(codec.MAX_ELEMENTS, dtype=np.float32))}
    assert codec.decode(_receive_bytes(json.dumps(biggest).encode())["result"]).size == codec.MAX_ELEMENTS


def test_send_refuses_an_oversized_message_and_sends_nothing():
    left, right = socket.socketpair()
    with left, right:
        with pytest.raises(codec.ProtocolError):
            codec.send(left, {"ok": True, "v": "x" * codec.MAX_MESSAGE_BYTES}, limit=codec.MAX_MESSAGE_BYTES)
        with pytest.raises(codec.ProtocolError):
            codec.send(left, {"ok": True, "v": "x" * codec.MAX_REQUEST_BYTES})
        right.setblocking(False)
        with pytest.raises(BlockingIOError):
            right.recv(1)


def test_requests_may_carry_an_exercise_file_when_the_receiver_allows_it():
    """The grader sends exercise files (up to 2 MiB); the sandbox reads them with limit=MAX_REQUEST_BYTES."""
    request = {"op": "open", "files": {"ex.py": base64.b64encode(b"#" * 2 * 2**20).decode()}}
    payload = json.dumps(request).encode()
    assert codec.MAX_MESSAGE_BYTES < len(payload) < codec.MAX_REQUEST_BYTES
    left, right = socket.socketpair()
    with left, right:
        sender = threading.Thread(target=codec.send, args=(left, request))
        sender.start()
        assert codec.receive(right, deadline=time.monotonic() + 10, limit=codec.MAX_REQUEST_BYTES) == request
        sender.join()
    with pytest.raises(codec.ProtocolError):  # the grader's own limit refuses it
        _receive_bytes(payload)


def test_oversized_header_is_refused_before_the_body_is_read():
    """A header over the cap is refused at once, even if the body never comes."""
    left, right = socket.socketpair()
    with left, right:
        left.sendall(struct.pack("!I", codec.MAX_MESSAGE_BYTES + 1) + b'{"ok": true}')
        started = time.monotonic()
        with pytest.raises(codec.ProtocolError):
            codec.receive(right, deadline=started + 5)  # would be a TimeoutError if it waited for the body
        assert time.monotonic() - started < 1
        assert right.recv(100) == b'{"ok": true}'  # not a byte of the body was consumed


def test_45_mb_message_is_refused_in_bounded_memory():
    size = 45 * 2**20
    chunk = b" " * 2**20

    def flood(sock):
        try:
            sock.sendall(struct.pack("!I", size))
            for _ in range(45):
                sock.sendall(chunk)
        except OSError:
            pass

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    left, right = socket.socketpair()
    sender = threading.Thread(target=flood, args=(left,))
    tracemalloc.start()
    try:
        sender.start()
        with pytest.raises(codec.ProtocolError):
            codec.receive(right, deadline=time.monotonic() + 10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        right.close()
        sender.join()
        left.close()
    assert peak < 4 * 2**20, f"receive allocated {peak} bytes for a refused message"
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 100 * 1024, f"peak RSS grew by {grown} kB"


# ----------------------------------------------------------------- decode never recurses without bound


def _nested_list(depth: int) -> dict:
    value = {"t": "none"}
    for _ in range(depth):
        value = {"t": "list", "items": [value]}
    return value


def test_decode_depth_cap_is_checked_before_recursing(monkeypatch):
    deepest = []
    real = codec._decode

    def spy(data, functions, depth, make_tensors):
        deepest.append(depth)
        return real(data, functions, depth, make_tensors)

    monkeypatch.setattr(codec, "_decode", spy)
    assert codec.decode(_nested_list(codec.MAX_DEPTH + 1)) is not None  # as deep as encode goes
    with pytest.raises(codec.ProtocolError):
        codec.decode(_nested_list(codec.MAX_DEPTH + 50))
    assert max(deepest) <= codec.MAX_DEPTH + 2
    with pytest.raises(codec.ProtocolError):  # far past the interpreter's recursion limit: no RecursionError
        codec.decode(_nested_list(100_000))


def test_what_encode_nests_decodes():
    value = 1.0
    for _ in range(codec.MAX_DEPTH + 5):
        value = [value]
    back = codec.decode(codec.encode(value))
    for _ in range(codec.MAX_DEPTH + 1):
        back = back[0]
    assert isinstance(back, codec.Opaque)


def _tensor_message(grad=None) -> dict:
    message = {"t": "tensor", "array": _array(np.zeros(2)), "requires_grad": True, "is_leaf": True, "grad_fn": None}
    if grad is not None:
        message["grad"] = grad
    return message


@pytest.mark.parametrize("grad", [
    _tensor_message(_tensor_message()),  # a gradient that has a gradient
    _tensor_message(_tensor_message(_tensor_message())),
    _nested_list(3),  # a gradient that is not a tensor
    {"t": "int", "v": 1},
    [1, 2],
    "grad",
])
def test_gradients_are_plain_tensors_only(grad):
    with pytest.raises(codec.ProtocolError):
        codec.decode(_tensor_message(grad))
    with pytest.raises(codec.ProtocolError):
        codec.decode(_tensor_message(grad), make_tensors=True)


def test_deep_gradient_chains_are_refused_without_recursion():
    message = _tensor_message()
    for _ in range(100_000):
        message = _tensor_message(message)
    with pytest.raises(codec.ProtocolError):
        codec.decode(message)


@pytest.mark.parametrize("bad", [
    {"t": "float", "v": 10**400},  # OverflowError inside float()
    {"t": "int", "v": 2**70},
    {"t": "bool", "v": "yes"},
    {"t": "str", "v": "x" * (codec.MAX_STR + 1)},
    {"t": "fn", "name": ["unhashable"]},
    {"t": ["unhashable"]},
    {"t": "list", "items": [None] * (codec.MAX_ITEMS + 1)},
    {"t": "dict", "items": {"a": 1}},
    {"t": "generated", "items": "abc"},
    {"t": "tensor", "array": None},
    {"t": "tensor", "array": {"t": "ndarray", "dtype": ["float64"], "shape": [1], "data": ""}},
    {"t": "ndarray", "dtype": "float64", "shape": [2**40, 0], "data": ""},
    {"t": "ndarray", "dtype": "float64", "shape": [1], "data": "é" * 12},
    {"t": "ndarray", "dtype": "float64", "shape": [1], "data": "A" * 10**6},
])
def test_malformed_values_raise_only_protocol_errors(bad):
    with pytest.raises(codec.ProtocolError):
        codec.decode(bad)


def test_bool_arrays_are_normalised():
    raw = {"t": "ndarray", "dtype": "bool", "shape": [3], "data": base64.b64encode(bytes([0, 1, 7])).decode()}
    back = codec.decode(raw)
    assert back.dtype == np.bool_ and back.tolist() == [False, True, True] and back.view(np.uint8).max() == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["none", "bool", "int", "float", "str", "ndarray", "tensor", "tuple",
                                             "list", "dict", "generated", "fn", "other", "float64", "nan"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["t", "v", "items", "array", "grad", "dtype", "shape", "data", "name", "type", "note",
                         "requires_grad", "truncated"]), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_json_value_decodes_or_is_a_protocol_error(value):
    for make_tensors in (False, True):
        try:
            codec.decode(value, make_tensors=make_tensors)
        except codec.ProtocolError:
            pass
