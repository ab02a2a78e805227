"""Plain-data encoding shared by the grader and the sandboxed worker.

Only JSON crosses the process boundary, never a pickle. Arrays travel as
``{"t": "ndarray", "dtype", "shape", "data": base64}`` and are checked on
arrival (a whitelisted dtype, a shape that matches the byte count, a size
cap), so a hostile worker can make a check fail but cannot make the grader
run code or allocate without bound.

This file is imported by the sandbox by path (``python -I``), so it only uses
the standard library, NumPy and (lazily) torch.
"""

from __future__ import annotations

import base64
import json
import math
import struct
import time
import types

import numpy as np

DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_ELEMENTS = 4_000_000
MAX_ITEMS = 10_000  # items taken from a generator, elements of a list
MAX_DEPTH = 8
MAX_STR = 4_000


class ProtocolError(ValueError):
    """The other side sent something that is not valid plain data."""


class FunctionRef:
    """A reference to one of the trusted test functions in ``testfns`` (by name)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"FunctionRef({self.name!r})"


class RemoteTensor:
    """A torch tensor as it came back from student code: values plus metadata."""

    def __init__(self, values, dtype, requires_grad=False, is_leaf=True, grad_fn=None, grad=None):
        self.values = values  # np.ndarray
        self.dtype = dtype  # "torch.float32"
        self.requires_grad = requires_grad
        self.is_leaf = is_leaf
        self.grad_fn = grad_fn  # name of the autograd node, or None
        self.grad = grad  # RemoteTensor or None

    @property
    def shape(self):
        return tuple(self.values.shape)

    def tensor(self):
        import torch

        return torch.from_numpy(np.array(self.values))

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
    data = np.ascontiguousarray(array).tobytes()
    return {"t": "ndarray", "dtype": array.dtype.name, "shape": list(array.shape),
            "data": base64.b64encode(data).decode("ascii")}


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
    if isinstance(value, np.generic) and value.dtype.name in DTYPES:
        kind = "float" if value.dtype.kind == "f" else "int" if value.dtype.kind in "iu" else "bool"
        if kind == "bool":
            return {"t": "bool", "v": bool(value), "py": _type_name(value)}
        if kind == "int":
            return {"t": "int", "v": int(value), "py": _type_name(value)}
        return {"t": "float", "v": _float_out(float(value)), "py": _type_name(value)}
    if isinstance(value, str) and type(value) is str:
        return {"t": "str", "v": value[:MAX_STR]}
    if isinstance(value, np.ndarray) and type(value) is np.ndarray:
        return _encode_array(value)
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        return _encode_tensor(value, torch, depth, with_grad)
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        items = [encode(item, depth + 1, with_grad) for item in list(value)[:MAX_ITEMS]]
        return {"t": "tuple" if isinstance(value, tuple) else "list", "items": items,
                "truncated": len(value) > MAX_ITEMS}
    if isinstance(value, dict) and type(value) is dict:
        out = {}
        for key, item in list(value.items())[:MAX_ITEMS]:
            if type(key) is str:
                out[key[:MAX_STR]] = encode(item, depth + 1, with_grad)
        return {"t": "dict", "items": out}
    if isinstance(value, types.GeneratorType):
        return {"t": "other", "type": "generator", "note": "generators are consumed by the caller"}
    return {"t": "other", "type": _type_name(value)}


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


def _torch():
    import sys

    return sys.modules.get("torch")


def _encode_tensor(tensor, torch, depth, with_grad):
    name = str(tensor.dtype).replace("torch.", "")
    if name not in DTYPES or tensor.layout != torch.strided or tensor.is_complex():
        return {"t": "other", "type": f"torch.Tensor[{tensor.dtype}]", "note": "unsupported dtype"}
    try:
        values = tensor.detach().cpu().numpy()
    except Exception as exc:  # noqa: BLE001 - e.g. a tensor subclass that refuses
        return {"t": "other", "type": _type_name(tensor), "note": str(exc)[:200]}
    out = {"t": "tensor", "array": _encode_array(values), "dtype": str(tensor.dtype),
           "requires_grad": bool(tensor.requires_grad), "is_leaf": bool(tensor.is_leaf),
           "grad_fn": type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None}
    if with_grad and tensor.is_leaf and tensor.grad is not None and depth < MAX_DEPTH:
        out["grad"] = _encode_tensor(tensor.grad, torch, depth + 1, False)
    return out


# ----------------------------------------------------------------- decoding


def _decode_array(data: dict) -> np.ndarray:
    dtype, shape, raw = data.get("dtype"), data.get("shape"), data.get("data")
    if dtype not in DTYPES or not isinstance(shape, list) or not isinstance(raw, str):
        raise ProtocolError("malformed array")
    if len(shape) > 32 or not all(type(s) is int and 0 <= s for s in shape):
        raise ProtocolError("malformed array shape")
    size = math.prod(shape)
    if size > MAX_ELEMENTS:
        raise ProtocolError("array too large")
    try:
        buffer = base64.b64decode(raw.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ProtocolError("malformed array data") from exc
    kind = np.dtype(dtype)
    if len(buffer) != size * kind.itemsize:
        raise ProtocolError("array data does not match its shape")
    return np.frombuffer(buffer, dtype=kind).reshape(shape).copy()


def decode(data, functions=None, depth: int = 0, make_tensors: bool = False):
    """Rebuild a value from plain data.

    ``functions`` maps names to callables for ``fn`` references (worker side).
    With ``make_tensors`` (worker side) tensors become real torch tensors,
    else (grader side) :class:`RemoteTensor` objects.
    """
    if depth > MAX_DEPTH + 2 or not isinstance(data, dict):
        raise ProtocolError("malformed value")
    tag = data.get("t")
    if tag == "none":
        return None
    if tag == "bool":
        return bool(data.get("v"))
    if tag == "int":
        value = data.get("v")
        if type(value) is not int:
            raise ProtocolError("malformed int")
        return value
    if tag == "float":
        return _float_in(data.get("v"))
    if tag == "str":
        value = data.get("v")
        if not isinstance(value, str):
            raise ProtocolError("malformed str")
        return value
    if tag == "ndarray":
        return _decode_array(data)
    if tag == "tensor":
        values = _decode_array(data.get("array") or {})
        grad = data.get("grad")
        if make_tensors:
            import torch

            tensor = torch.from_numpy(values)
            if grad is not None:
                tensor.grad = decode(grad, functions, depth + 1, make_tensors)
            if data.get("requires_grad"):
                tensor.requires_grad_(True)
            return tensor
        return RemoteTensor(values, str(data.get("dtype")), bool(data.get("requires_grad")),
                            bool(data.get("is_leaf")), data.get("grad_fn") if isinstance(data.get("grad_fn"), str) else None,
                            decode(grad, functions, depth + 1) if grad is not None else None)
    if tag in ("tuple", "list"):
        items = data.get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ProtocolError("malformed sequence")
        values = [decode(item, functions, depth + 1, make_tensors) for item in items]
        return tuple(values) if tag == "tuple" else values
    if tag == "dict":
        items = data.get("items")
        if not isinstance(items, dict):
            raise ProtocolError("malformed dict")
        return {str(k): decode(v, functions, depth + 1, make_tensors) for k, v in items.items()}
    if tag == "generated":
        items = data.get("items")
        if not isinstance(items, list):
            raise ProtocolError("malformed generator")
        return Generated([decode(item, functions, depth + 1, make_tensors) for item in items],
                         bool(data.get("truncated")))
    if tag == "fn":
        if functions is None or data.get("name") not in functions:
            raise ProtocolError("unknown function reference")
        return functions[data["name"]]
    if tag == "other":
        return Opaque(str(data.get("type"))[:200], str(data.get("note", ""))[:200])
    raise ProtocolError(f"unknown tag {tag!r}")


# ----------------------------------------------------------------- framing


def send(sock, message: dict) -> None:
    payload = json.dumps(message, allow_nan=False).encode("utf-8")
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


def receive(sock, deadline: float | None = None) -> dict:
    """Read one message; ``deadline`` is a ``time.monotonic()`` value (TimeoutError after it)."""
    (length,) = struct.unpack("!I", _recv_exactly(sock, 4, deadline))
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large ({length} bytes)")
    try:
        message = json.loads(_recv_exactly(sock, length, deadline).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError("message is not valid JSON") from exc
    if not isinstance(message, dict):
        raise ProtocolError("message is not an object")
    return message
