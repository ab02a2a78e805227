"""Plain-data encoding shared by the grader and the sandboxed worker.

Only JSON crosses the process boundary, never a pickle. Arrays travel as
``{"t": "ndarray", "dtype", "shape", "data": base64}`` and are checked on
arrival (a whitelisted dtype, a shape that matches the byte count, a size
cap), so a hostile worker can make a check fail but cannot make the grader
run code or allocate without bound.

The learner's code runs in the same process as the worker's copy of this
module and can replace anything in it, so the grader believes only bytes:
a message is refused before its body is read when its length header is over
``MAX_MESSAGE_BYTES``; JSON that is malformed, nested too deeply, or holds
non-finite or huge numbers is refused (:class:`ProtocolError`, never another
exception); and every piece of metadata that can be derived from the data is
(a tensor's dtype is the dtype of the array that matched the byte count,
never a string the worker sends).

This file is imported by the sandbox by path (``python -I``), so it only uses
the standard library, NumPy and torch, the last two only when a value needs
them (see :func:`_loaded`).

One file over 500 lines, on purpose: the values (``encode``/``decode``) and the
framing (``send``/``receive``) would split naturally, but the sandbox runs this
file from its source, read before isolation and run after (``libraries``),
while the grader imports it as ``autograder.sandbox.codec``; a second file
would need an import that works both ways, and a second read before isolation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
import sys
import time
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")
# The largest message a correct submission sends is the answer to
# synthetic_data(w, b, 20000) in test_synthetic_data_statistics: X (20000, 2)
# and y (20000, 1) in float32, 240,000 bytes, 320,383 bytes of JSON once in
# base64 (measured at the framing layer while grading solutions/ with the
# hidden checks, three seeds, and every submission in tests/buggy/; every
# other answer is under 90 kB, every request under 30 kB). The cap is 4x that,
# so the grader never holds more than about 1.3 MB of one message (plus what
# it decodes to) whatever the worker sends.
MAX_MESSAGE_BYTES = 1_310_720  # 1.25 MiB = 4.09 x 320,383
# What the sandbox accepts from the grader (pass it as ``receive(..., limit=)``
# there): the request that opens a submission carries one exercise file, up to
# submission.MAX_FILE_BYTES = 2 MiB, 2.7 MiB in base64. The grader is the
# sender, so this bounds nothing the learner controls beyond that file.
MAX_REQUEST_BYTES = 4 * 2**20
# The largest array is that X, 40,000 elements; 4x that. An array this size
# in float32 (640 kB, 853 kB in base64) still fits in one message.
MAX_ELEMENTS = 160_000
MAX_ITEMS = 10_000  # items taken from a generator, elements of a list
# What the worker takes from a generator, as JSON: half a message, so that the answer of one that never stops
# (a loop that does not move on) is still read, marked truncated, instead of being refused as too large
MAX_GENERATED_BYTES = MAX_MESSAGE_BYTES // 2
MAX_DEPTH = 8  # nesting of values (a list in a tuple in a dict ...)
MAX_JSON_DEPTH = 48  # nesting of JSON containers in a message: the values above need about 2 * (MAX_DEPTH + 3)
MAX_INT_DIGITS = 20  # an int in a message: -2**63 has 20 characters; encode sends |v| < 2**62
MAX_STR = 4_000


class ProtocolError(ValueError):
    """The other side sent something that is not valid plain data."""


class FunctionRef:
    """A reference, by name, to a trusted test function (``FUNCTIONS`` of the exercise's in-sandbox helpers)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"FunctionRef({self.name!r})"


class RemoteTensor:
    """A torch tensor as it came back from student code: values plus metadata.

    ``dtype`` (``"torch.float32"``) is derived from ``values``, the array whose
    byte count matched its declared shape and dtype: the worker never gets to
    say a tensor has a dtype its bytes do not have.
    """

    def __init__(self, values, requires_grad=False, is_leaf=True, grad_fn=None, grad=None):
        self.values = values  # np.ndarray
        self.requires_grad = requires_grad
        self.is_leaf = is_leaf
        self.grad_fn = grad_fn  # name of the autograd node, or None
        self.grad = grad  # RemoteTensor, Opaque or None

    @property
    def dtype(self) -> str:
        return f"torch.{self.values.dtype.name}"

    @property
    def shape(self):
        return tuple(self.values.shape)

    def tensor(self):
        # lazy: the NumPy-only sandbox, which runs this file too, refuses torch; and torch costs 2.9 s of
        # import (python -X importtime -c "import torch", 2026-12-07) to a process that only reads arrays
        import torch

        return torch.from_numpy(self.values.copy())

    def __repr__(self) -> str:
        return f"tensor(shape={self.shape}, dtype={self.dtype})"


class Opaque:
    """A value of a type that cannot be carried (only its type name is kept)."""

    def __init__(self, type_name: str, note: str = ""):
        self.type_name = type_name
        self.note = note

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class Generated:
    """What a generator yielded (at most MAX_ITEMS items)."""

    def __init__(self, items, truncated: bool):
        self.items = items
        self.truncated = truncated


# ----------------------------------------------------------------- encoding


def _encode_array(array: np.ndarray) -> dict:
    if array.dtype.name not in DTYPES:
        return {"t": "other", "type": f"numpy.ndarray[{array.dtype}]", "note": "unsupported dtype"}
    if array.size > MAX_ELEMENTS:
        return {"t": "other", "type": "numpy.ndarray", "note": f"too large ({array.size} elements)"}
    data = array.tobytes(order="C")
    return {
        "t": "ndarray",
        "dtype": array.dtype.name,
        "shape": list(array.shape),
        "data": base64.b64encode(data).decode("ascii"),
    }


def _type_name(value) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__


def encode(value, depth: int = 0, with_grad: bool = True):
    """Turn a value into JSON-able plain data (unknown types become 'other')."""
    if depth > MAX_DEPTH:
        return {"t": "other", "type": _type_name(value), "note": "nested too deeply"}
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, FunctionRef):
        return {"t": "fn", "name": value.name}
    if isinstance(value, int) and type(value) is int:
        if abs(value) < 2**62:
            return {"t": "int", "v": value}
        return {"t": "other", "type": "int", "note": "too large"}
    if isinstance(value, float) and type(value) is float:
        return {"t": "float", "v": _float_out(value), "py": "float"}
    np = _loaded("numpy")
    if np is not None and isinstance(value, np.generic) and value.dtype.name in DTYPES:
        kind = "float" if value.dtype.kind == "f" else "int" if value.dtype.kind in "iu" else "bool"
        if kind == "bool":
            return {"t": "bool", "v": bool(value), "py": _type_name(value)}
        if kind == "int":
            return {"t": "int", "v": int(value), "py": _type_name(value)}
        return {"t": "float", "v": _float_out(float(value)), "py": _type_name(value)}
    if isinstance(value, str) and type(value) is str:
        return {"t": "str", "v": value[:MAX_STR]}
    if np is not None and isinstance(value, np.ndarray) and type(value) is np.ndarray:
        return _encode_array(value)
    torch = _loaded("torch")
    if torch is not None and _exact_tensor(value, torch):
        return _encode_tensor(value, torch, depth, with_grad)
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        items = [encode(item, depth + 1, with_grad) for item in list(value)[:MAX_ITEMS]]
        return {
            "t": "tuple" if isinstance(value, tuple) else "list",
            "items": items,
            "truncated": len(value) > MAX_ITEMS,
        }
    if isinstance(value, dict) and type(value) is dict:
        out = {}
        for key, item in list(value.items())[:MAX_ITEMS]:
            if type(key) is str:
                out[key[:MAX_STR]] = encode(item, depth + 1, with_grad)
        return {"t": "dict", "items": out}
    if isinstance(value, types.GeneratorType):
        return {"t": "other", "type": "generator", "note": "generators are consumed by the caller"}
    return {"t": "other", "type": _type_name(value)}


def _dumps(value) -> str:
    """A message's JSON, as :func:`send` writes it (ASCII: non-ASCII characters escaped)."""
    return json.dumps(value, allow_nan=False)


def json_size(encoded) -> int:
    """The bytes an encoded value takes in a message as :func:`send` writes it."""
    return len(_dumps(encoded))


def _float_out(x: float):
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _float_in(x) -> float:
    if isinstance(x, str):
        if x in ("nan", "inf", "-inf"):
            return float(x)
        raise ProtocolError(f"bad float {x!r}")
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ProtocolError(f"bad float {x!r}")
    return float(x)


def _loaded(library: str):
    """``library`` (``"numpy"``, ``"torch"``) if something in this process imported it, else None: then no value
    can be one of its arrays or tensors. Never imported here to encode: the grader imports this module before it
    starts the sandbox, and NumPy's 0.10 s of import (python -X importtime -m autograder grade solutions,
    2026-12-07) would delay the sandbox's start by as much (torch's: see :meth:`RemoteTensor.tensor`).
    :func:`_decode_array` imports NumPy when an array arrives."""
    return sys.modules.get(library)


def _exact_tensor(value, torch) -> bool:
    """A plain tensor or parameter; a subclass may override ``dtype``, ``numpy`` ... and is not read."""
    return type(value) is torch.Tensor or type(value) is torch.nn.Parameter


def _encode_tensor(tensor, torch, depth, with_grad):
    if not _exact_tensor(tensor, torch):
        return {"t": "other", "type": _type_name(tensor), "note": "a subclass of torch.Tensor"}
    name = str(tensor.dtype).replace("torch.", "")
    if name not in DTYPES or tensor.layout != torch.strided or tensor.is_complex():
        return {"t": "other", "type": f"torch.Tensor[{tensor.dtype}]", "note": "unsupported dtype"}
    try:
        values = tensor.detach().cpu().numpy()
    except Exception as exc:  # noqa: BLE001 - e.g. a tensor subclass that refuses
        return {"t": "other", "type": _type_name(tensor), "note": str(exc)[:200]}
    array = _encode_array(values)
    if array["t"] != "ndarray":  # too large: the tensor as a whole is what cannot be carried
        return {"t": "other", "type": _type_name(tensor), "note": array.get("note", "")}
    # no "dtype" field: the grader takes the dtype from the array itself
    out = {
        "t": "tensor",
        "array": array,
        "requires_grad": bool(tensor.requires_grad),
        "is_leaf": bool(tensor.is_leaf),
        "grad_fn": type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None,
    }
    if with_grad and tensor.is_leaf and tensor.grad is not None and depth < MAX_DEPTH:
        out["grad"] = _encode_tensor(tensor.grad, torch, depth + 1, False)
    return out


def fingerprint(encoded) -> str | None:
    """A digest of the values in an encoded argument (arrays and tensors by dtype, shape and bytes; numbers,
    strings, and the structure of lists, tuples and dicts), ignoring what a tensor says about its autograd
    state. None for anything else (a function reference, an opaque object): its change cannot be told.

    The grader digests what it sent; the worker digests, in the same way, the same objects after the call
    (``"fingerprints"`` in a call request), so the grader can tell an argument the learner's code changed.
    """
    digest = hashlib.blake2b(digest_size=16)

    def walk(data, depth):
        if depth > _DECODE_DEPTH or not isinstance(data, dict):
            return False
        tag = data.get("t")
        if tag == "tensor":
            data = data.get("array")
            tag = "ndarray" if isinstance(data, dict) else None
        if tag == "ndarray":
            digest.update(f"a{data.get('dtype')}{data.get('shape')}".encode())
            digest.update(str(data.get("data")).encode())
            return True
        if tag in ("none", "bool", "int", "float", "str"):
            digest.update(f"{tag}{data.get('v')!r}".encode())
            return True
        if tag in ("tuple", "list"):
            items = data.get("items")
            digest.update(f"{tag}{len(items) if isinstance(items, list) else -1}".encode())
            return isinstance(items, list) and all(walk(item, depth + 1) for item in items)
        if tag == "dict":
            items = data.get("items")
            if not isinstance(items, dict):
                return False
            digest.update(f"d{len(items)}".encode())
            for key in sorted(items):
                digest.update(f"k{key}".encode())
                if not walk(items[key], depth + 1):
                    return False
            return True
        return False

    return digest.hexdigest() if walk(encoded, 0) else None


# ----------------------------------------------------------------- decoding

_DECODE_DEPTH = MAX_DEPTH + 2  # encode's deepest value sits at MAX_DEPTH + 1, inside a "generated" wrapper
# Anything a malformed value can make the decoding code raise; decode turns it into a ProtocolError.
_DECODE_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RuntimeError,
    RecursionError,
    MemoryError,
)


def _decode_array(data) -> np.ndarray:
    import numpy as np  # lazy: see _loaded

    if not isinstance(data, dict):
        raise ProtocolError("malformed array")
    dtype, shape, raw = data.get("dtype"), data.get("shape"), data.get("data")
    if not isinstance(dtype, str) or dtype not in DTYPES or not isinstance(shape, list) or not isinstance(raw, str):
        raise ProtocolError("malformed array")
    if len(shape) > 32 or not all(type(s) is int and 0 <= s <= MAX_ELEMENTS for s in shape):
        raise ProtocolError("malformed array shape")
    size = math.prod(shape)
    if size > MAX_ELEMENTS:
        raise ProtocolError("array too large")
    kind = np.dtype(dtype)
    # the base64 text of exactly size * itemsize bytes, checked before anything is decoded
    if len(raw) != 4 * math.ceil(size * kind.itemsize / 3):
        raise ProtocolError("array data does not match its shape")
    try:
        buffer = base64.b64decode(raw.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ProtocolError("malformed array data") from exc
    if len(buffer) != size * kind.itemsize:
        raise ProtocolError("array data does not match its shape")
    if kind == np.bool_:  # any byte other than 0 would make a bool array that is neither True nor False
        return np.frombuffer(buffer, dtype=np.uint8).reshape(shape).astype(np.bool_)
    # the dtype of the result is the one whose item size matched the byte count: all a tensor's dtype comes from
    return np.frombuffer(buffer, dtype=kind).reshape(shape).copy()


def decode(data, functions=None, depth: int = 0, make_tensors: bool = False):
    """Rebuild a value from plain data.

    ``functions`` maps names to callables for ``fn`` references (worker side).
    With ``make_tensors`` (worker side) tensors become real torch tensors,
    else (grader side) :class:`RemoteTensor` objects.

    Raises :class:`ProtocolError`, and nothing else, for anything that is not
    what :func:`encode` makes. Values nested deeper than ``encode`` ever nests
    them are refused before recursing into them.
    """
    try:
        return _decode(data, functions, depth, make_tensors)
    except ProtocolError:
        raise
    except _DECODE_ERRORS as exc:
        raise ProtocolError(f"malformed value ({type(exc).__name__})") from None


def _child(data, functions, depth, make_tensors):
    """Decode a value nested in the one at ``depth``: the depth cap is checked before recursing."""
    if depth + 1 > _DECODE_DEPTH:
        raise ProtocolError("value nested too deeply")
    return _decode(data, functions, depth + 1, make_tensors)


def _items(data, kind):
    items = data.get("items")
    if not isinstance(items, kind) or len(items) > MAX_ITEMS:
        raise ProtocolError("malformed sequence")
    return items


def _decode(data, functions, depth, make_tensors):
    if depth > _DECODE_DEPTH or not isinstance(data, dict):
        raise ProtocolError("malformed value")
    tag = data.get("t")
    if tag == "none":
        return None
    if tag == "bool":
        value = data.get("v")
        if type(value) is not bool:
            raise ProtocolError("malformed bool")
        return value
    if tag == "int":
        value = data.get("v")
        if type(value) is not int or abs(value) >= 2**63:
            raise ProtocolError("malformed int")
        return value
    if tag == "float":
        return _float_in(data.get("v"))
    if tag == "str":
        value = data.get("v")
        if type(value) is not str or len(value) > MAX_STR:
            raise ProtocolError("malformed str")
        return value
    if tag == "ndarray":
        return _decode_array(data)
    if tag == "tensor":
        values = _decode_array(data.get("array"))
        grad = data.get("grad")
        if grad is not None:
            # encode sends a gradient only as a plain tensor (or an opaque one) that has no gradient itself
            if not isinstance(grad, dict) or grad.get("t") not in ("tensor", "other") or "grad" in grad:
                raise ProtocolError("malformed gradient")
            grad = _child(grad, functions, depth, make_tensors)
        if make_tensors:
            import torch  # lazy: only the torch worker makes tensors (see RemoteTensor.tensor)

            tensor = torch.from_numpy(values)
            if grad is not None:
                if not isinstance(grad, torch.Tensor):
                    raise ProtocolError("malformed gradient")
                tensor.grad = grad
            if data.get("requires_grad") is True:
                tensor.requires_grad_(True)
            return tensor
        grad_fn = data.get("grad_fn")
        # no dtype is read from the message: RemoteTensor.dtype is the dtype of ``values``
        return RemoteTensor(
            values,
            requires_grad=data.get("requires_grad") is True,
            is_leaf=data.get("is_leaf") is True,
            grad_fn=grad_fn[:200] if isinstance(grad_fn, str) else None,
            grad=grad,
        )
    if tag in ("tuple", "list"):
        values = [_child(item, functions, depth, make_tensors) for item in _items(data, list)]
        return tuple(values) if tag == "tuple" else values
    if tag == "dict":
        items = _items(data, dict)
        return {str(key)[:MAX_STR]: _child(value, functions, depth, make_tensors) for key, value in items.items()}
    if tag == "generated":
        items = _items(data, list)
        return Generated(
            [_child(item, functions, depth, make_tensors) for item in items], data.get("truncated") is True
        )
    if tag == "fn":
        name = data.get("name")
        if functions is None or not isinstance(name, str) or name not in functions:
            raise ProtocolError("unknown function reference")
        return functions[name]
    if tag == "other":
        type_name, note = data.get("type"), data.get("note", "")
        return Opaque(
            type_name[:200] if isinstance(type_name, str) else "?", note[:200] if isinstance(note, str) else ""
        )
    raise ProtocolError(f"unknown tag {str(tag)[:40]!r}")


# ----------------------------------------------------------------- framing


def send(sock, message: dict, limit: int = MAX_REQUEST_BYTES) -> None:
    """Send one message; a ProtocolError (sending nothing) if it is over ``limit`` bytes.

    The default lets the grader send an exercise file; the receiving side's
    limit is what protects it (the grader's is ``MAX_MESSAGE_BYTES``).
    """
    payload = _dumps(message).encode("utf-8")
    if len(payload) > limit:
        raise ProtocolError(f"message too large ({len(payload)} bytes, at most {limit})")
    sock.sendall(struct.pack("!I", len(payload)) + payload)


def _recv_exactly(sock, count: int, deadline: float | None) -> bytes:
    chunks, remaining = [], count
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer before the time limit")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _no_constant(name):
    raise ProtocolError(f"{name} in a message")  # encode sends non-finite floats as strings


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise ProtocolError("number out of range in a message")
    return value


def _short_int(literal: str) -> int:
    # refused before int() sees it: no 4300-digit conversions, no ValueError from the digit limit
    if len(literal) > MAX_INT_DIGITS:
        raise ProtocolError("integer too long in a message")
    return int(literal)


def _check_nesting(message) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (walked with a list, not by recursion)."""
    pending = [(message, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ProtocolError("message nested too deeply")
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def parse(payload: bytes) -> dict:
    """The message in ``payload``, or a ProtocolError (never another exception) if it is not one."""
    try:
        message = json.loads(
            payload.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite_float, parse_int=_short_int
        )
    except ProtocolError:
        raise
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError comes from
        # deeply nested arrays (the C parser stops at the recursion limit)
        raise ProtocolError(f"message is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(message, dict):
        raise ProtocolError("message is not an object")
    # a message cannot nest deeper than it has brackets (those inside its strings count too): most have a few
    # dozen, and are not walked (the walk was 2% of the grader's time per submission, cProfile, 2026-12-07)
    if payload.count(b"[") + payload.count(b"{") > MAX_JSON_DEPTH:
        _check_nesting(message)
    return message


def receive(sock, deadline: float | None = None, limit: int = MAX_MESSAGE_BYTES) -> dict:
    """Read one message; ``deadline`` is a ``time.monotonic()`` value (TimeoutError after it).

    A length header over ``limit`` is refused before a byte of the body is
    read, so the grader never holds more than ``MAX_MESSAGE_BYTES`` of one
    message. The sandbox, reading the grader's requests, passes
    ``limit=MAX_REQUEST_BYTES``.
    """
    (length,) = struct.unpack("!I", _recv_exactly(sock, 4, deadline))
    if length > limit:
        raise ProtocolError(f"message too large ({length} bytes, at most {limit})")
    return parse(_recv_exactly(sock, length, deadline))
