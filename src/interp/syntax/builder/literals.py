"""How Python values become AST values, and which names the grammar can read back.

Python values become literals: `str` → a string, `int`/`float` → a number,
`bool` → `true`/`false`, lists and tuples → lists. The one exception is where
the language takes a *keyword*, written bare in the text (`per=target`,
`factorize=nmf`, `reduce(pca, 3)`): there an identifier string becomes a bare
name. Those places are the parameters in :data:`KEYWORD_PARAMETERS` and the
first argument of `reduce`; for `weights` only `"random"` is a keyword (any
other string is a path to a weights file). `"input"` and `"output"` there mean
the substrates. Anywhere else, `ref("x")` writes a bare name, and `input`,
`output[...]`, `layer(...)` and `ref(...)` write substrates.

Python keywords can be written with a trailing underscore: `select(class_="tabby")`.

What the grammar could not read back is refused with a ValueError that names
the argument: names that are not identifiers (or are words of the language
where a name stands, like `input`), and numbers that do not print as
themselves (NaN, infinities, integers with too many digits).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

from interp.syntax import ast

ANY: None = None  # every identifier is a keyword here
NONE: frozenset[str] = frozenset()  # strings stay strings

# Parameter → the strings that are keywords there.
KEYWORD_PARAMETERS: dict[str, frozenset[str] | None] = {
    "per": ANY,  # top(k, per=source|target)
    "factorize": ANY,  # groups(k, factorize=nmf)
    "of": ANY,  # groups(k, of=activations|gradient|attribution)
    "over": ANY,  # heatmap(over=input), sum(over=channel)
    "size_by": ANY,  # grid(size_by=magnitude)
    "color": ANY,  # grid(color=value), heatmap(color=atom)
    "icons": ANY,  # sankey(icons=feature_vis)
    "method": ANY,  # attribution(..., method=grad_cam)
    "maxpool": ANY,  # attribution(..., maxpool=relaxed)
    "layout": ANY,  # atlas(cells=12, layout=umap)
    "weights": frozenset({"random"}),  # model(..., weights=random) but weights="g.pth"
    "to": frozenset({"zero", "mean"}),  # ablate(..., to=mean) but to=input("other.jpg")
}
# Calls whose first positional arguments are keywords: reduce(pca, 3).
KEYWORD_POSITIONALS: dict[str, int] = {"reduce": 1}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # the grammar's NAME
# Words that read back as values of their own wherever a name may stand.
RESERVED = frozenset({"input", "true", "false"})


class BuilderValue:
    """A builder object that stands for an AST value: an `Expr`, or an operation or
    presentation named bare as a keyword's value (`sankey(icons=feature_vis)`)."""

    __slots__ = ()

    def to_value(self) -> ast.Value:
        raise NotImplementedError


def value(x: Any, *, keywords: frozenset[str] | None = NONE) -> ast.Value:
    """A Python value as an AST value; identifier strings among `keywords` (all of
    them for ANY) become bare names."""
    if isinstance(x, BuilderValue):
        return x.to_value()  # an Expr's node; sankey(icons=feature_vis): a bare name
    if isinstance(x, ast.Node):
        return x
    if isinstance(x, bool):
        return ast.Bool(value=x)
    if isinstance(x, Integral | Real):
        return ast.Num(value=_number(x))
    if isinstance(x, str):
        if _NAME.fullmatch(x) and (keywords is ANY or x in keywords):
            return bare(x)
        return ast.Str(value=x)
    if isinstance(x, (list, tuple)):
        return ast.ListValue(items=tuple(value(item, keywords=keywords) for item in x))
    raise TypeError(f"cannot use {type(x).__name__} {x!r} in an interface")


def _number(x: Integral | Real) -> int | float:
    """An int or a finite float that prints as itself; ValueError otherwise."""
    return ast.printable(int(x) if isinstance(x, Integral) else float(x))


def bare(text: str) -> ast.Value:
    """What the parser makes of a bare identifier."""
    if text in ("true", "false"):
        return ast.Bool(value=text == "true")
    if text == "input":
        return ast.InputRef()
    if text == "output":
        return ast.OutputRef()
    return ast.Name(name=text)


def args(call: str, positional: Sequence[Any], keywords: Mapping[str, Any]) -> tuple[ast.Arg, ...]:
    """Call arguments, keyword values converted by the rule in the module docstring."""
    bare = KEYWORD_POSITIONALS.get(call, 0)
    out = [
        ast.Arg(value=_argument(call, f"argument {i + 1}", x, ANY if i < bare else NONE))
        for i, x in enumerate(positional)
    ]
    for raw, x in keywords.items():
        name = raw[:-1] if raw.endswith("_") and raw[:-1].isidentifier() else raw
        name = identifier(name, f"{call}(...): a keyword name", RESERVED)
        keywords_here = KEYWORD_PARAMETERS.get(name, NONE)
        out.append(ast.Arg(name=name, value=_argument(call, f"{name}=", x, keywords_here)))
    return tuple(out)


def _argument(call: str, where: str, x: Any, keywords: frozenset[str] | None) -> ast.Value:
    try:
        return value(x, keywords=keywords)
    except ValueError as exc:
        raise ValueError(f"{call}(...): {where} {exc}") from None


def identifier(text: str, what: str = "a name", reserved: frozenset[str] = frozenset()) -> str:
    """A name the grammar can print and read back as the same name."""
    if not isinstance(text, str) or not _NAME.fullmatch(text):
        raise ValueError(
            f"{what} must be letters, digits and _ (not starting with a digit): {text!r}"
        )
    if text in reserved:
        raise ValueError(f"{what} cannot be {text!r}, a word of the language there")
    return text


def substrate_value(x: Any, what: str) -> ast.Value:
    if isinstance(x, str):
        raise TypeError(f"{what} takes a substrate, not the string {x!r}: write ref({x!r})")
    return value(x)


def model_ref(x: Any) -> ast.Value:
    """A model reference: a bare name for a name string, else the value."""
    return bare(x) if isinstance(x, str) and _NAME.fullmatch(x) else value(x)
