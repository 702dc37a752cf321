"""Signatures: what a call accepts, declared once by what it names (an operation, a
presentation, a method) and bound by the checker through `Signature.bind`.

Every bad keyword, missing argument and wrong type gets the same kind of
message and hint, wherever the call is.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.errors import did_you_mean
from interp.syntax import ast


class AxisError(ValueError):
    """An operation or presentation that does not fit the content; message + hint."""

    def __init__(self, message: str, hint: str | None = None, span=None, word: str | None = None):
        super().__init__(message)
        self.hint = hint
        self.span = span  # where in the call, when narrower than the whole call
        self.word = word  # the name in the call the message is about


@dataclass(frozen=True)
class Param:
    """`kind`: "int" (positive), "fraction" (a number from 0 to 1), "bool", "choice" (a bare name among `choices`),
    "names" (one name or a list of names), "substrate" (kept as an AST value)."""

    name: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False
    positional: bool = False


@dataclass(frozen=True)
class Signature:
    name: str
    params: tuple[Param, ...] = ()
    example: str = ""

    def bind(self, call: ast.Call) -> dict[str, object]:
        """Python values by parameter name; AxisError on the first mismatch."""
        positional = [p for p in self.params if p.positional]
        values: dict[str, object] = {}
        for index, arg in enumerate(call.args):
            if arg.name is None:
                if not self.params:
                    raise self._error(f"{self.name} takes no arguments", arg.span)
                if index >= len(positional):
                    raise self._error(
                        f"{self.name} takes {len(positional) or 'no'} positional argument{'s' if len(positional) != 1 else ''}",
                        arg.span,
                    )
                param = positional[index]
            else:
                param = next((p for p in self.params if p.name == arg.name), None)
                if param is None:
                    keywords = [p.name for p in self.params]
                    if not keywords:
                        raise self._error(f"{self.name} takes no arguments", arg.span)
                    hint = did_you_mean(arg.name, keywords)
                    raise AxisError(
                        f"{self.name}: unknown argument {arg.name!r}",
                        hint + (" " if hint.endswith("?") else "; ") + f"e.g. {self.example}",
                        arg.name_span or arg.span,
                    )
            if param.name in values:
                raise self._error(f"{self.name}: {param.name} given twice", arg.span)
            values[param.name] = self._convert(param, arg.value)
        for param in self.params:
            if param.required and param.name not in values:
                raise self._error(f"{self.name} needs its {param.name} argument")
        return values

    def _error(self, message: str, span=None) -> AxisError:
        return AxisError(message, f"e.g. {self.example}", span)

    def _convert(self, param: Param, value: ast.Value) -> object:
        if param.kind == "int":
            if isinstance(value, ast.Num) and isinstance(value.value, int) and value.value > 0:
                return value.value
            raise self._error(
                f"{self.name}: {param.name} must be a positive integer, not {value.to_text()}",
                value.span,
            )
        if param.kind == "fraction":
            number = value.value if isinstance(value, ast.Num) else None
            if (
                isinstance(number, int | float)
                and not isinstance(number, bool)
                and 0 <= number <= 1
            ):
                return float(number)
            raise self._error(
                f"{self.name}: {param.name} must be a number from 0 to 1, not {value.to_text()}",
                value.span,
            )
        if param.kind == "bool":
            if isinstance(value, ast.Bool):
                return value.value
            raise self._error(
                f"{self.name}: {param.name} must be true or false, not {value.to_text()}",
                value.span,
            )
        if param.kind == "choice":
            name = (
                value.name
                if isinstance(value, ast.Name)
                else "input"
                if isinstance(value, ast.InputRef)
                else None
            )
            if name in param.choices:
                return name
            raise AxisError(
                f"{self.name}: {param.name}= takes {' or '.join(param.choices)}, not {value.to_text()}",
                did_you_mean(value.to_text(), param.choices),
                value.span,
            )
        if param.kind == "names":
            items = value.items if isinstance(value, ast.ListValue) else (value,)
            if all(isinstance(i, ast.Name) for i in items):
                names = [i.name for i in items]  # type: ignore[union-attr]
                return names if isinstance(value, ast.ListValue) else names[0]
            raise self._error(
                f"{self.name}: {param.name}= takes axis names, not {value.to_text()}", value.span
            )
        return value
