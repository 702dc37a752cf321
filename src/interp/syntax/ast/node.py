"""The base of every AST node: equality and hashing that ignore where a node was written.

Spans and comments are fields that take no part in equality, hashing or
printing (`where`), so a spec and its canonical text, or a spec and its builder
twin, compare equal. `quote` and `printable` are what every node prints
through: string literals and numbers that read back as themselves.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interp.errors import Span

LINE_WIDTH = 100


def where(default: Any = None) -> Any:
    """A source location: not printed, not compared, not hashed."""
    return Field(default=default, exclude=True, repr=False)


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    span: Span | None = where()

    def _key(self) -> Any:
        """Type and fields, recursively, without spans or comments."""
        return (type(self).__name__,) + tuple(
            (name, _key(getattr(self, name)))
            for name, field in type(self).model_fields.items()
            if not field.exclude
        )

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def to_text(self) -> str:
        raise NotImplementedError


def quote(text: str) -> str:
    """A string literal. A lone surrogate (no UTF-8 file can hold one) is printed as
    its escape, so printing never turns a spec into text that cannot be saved."""
    return _SURROGATE.sub(
        lambda found: f"\\u{ord(found.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(number: int | float) -> int | float:
    """`number` if it prints as itself (finite; an int within Python's digit limit for
    text, `sys.get_int_max_str_digits`); ValueError otherwise."""
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{number!r} is not a finite number; the language writes only finite ones")
    try:
        repr(number)
    except ValueError:
        raise ValueError(
            f"an integer of {number.bit_length()} bits has too many digits to write"  # type: ignore[union-attr]
        ) from None
    return number


def _key(value: Any) -> Any:
    if isinstance(value, Node):
        return value._key()
    if isinstance(value, tuple):
        return tuple(_key(v) for v in value)
    return (type(value).__name__, value)
