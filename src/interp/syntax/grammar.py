"""The LALR parser built from `interp.lark` (the grammar file is the language's documentation)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from lark import Lark


@cache
def lark_parser() -> Lark:
    """The LALR parser for `grammar/interp.lark`, built once per process."""
    grammar = resources.files("interp.syntax").joinpath("interp.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)
