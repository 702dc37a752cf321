"""What the design-space diagram writes about an element and an interface: its
substrates, a short name for them, its source on one line, the model.
"""

from __future__ import annotations

import re

from interp.check.program import Content, Interface, Substrate
from interp.errors import Span


def substrates_of(content: Content) -> str:
    if content.kind == "attribution" and content.target is not None:
        return f"{content.source.describe()} → {content.target.describe()}"
    return content.source.describe()


def short_name(content: Content) -> str:
    """The content's substrates in a few words: the row already names the atoms."""

    def name(substrate: Substrate, atoms: bool) -> str:
        if substrate.kind != "layer":
            return ", ".join(substrate.labels) or substrate.kind
        where = str(substrate.layer)
        if substrate.groups is not None:
            where += f".groups({substrate.groups.k})" + (".spatial" if substrate.footprint else "")
        elif atoms and substrate.atoms:  # only a target's atoms: the row names the source's
            where += f".{substrate.atoms}"
        return where

    if content.kind == "attribution" and content.target is not None:
        return f"{name(content.source, False)} → {name(content.target, True)}"
    return name(content.source, False)


def model_name(interface: Interface) -> str:
    model = interface.model
    if model.weights is None:
        return model.name
    seed = f", seed={model.seed}" if model.weights == "random" else ""
    return f"{model.name}(weights={model.weights}{seed})"


def excerpt(source: str, span: Span | None) -> str:
    """The element statement's text on one line (whitespace collapsed), or ""."""
    if not source or span is None:
        return ""
    lines = source.split("\n")[span.line - 1 : span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        lines[0] = lines[0][span.column - 1 : span.end_column - 1]
    else:
        lines[0], lines[-1] = lines[0][span.column - 1 :], lines[-1][: span.end_column - 1]
    text = " ".join(re.sub(r'("[^"]*")|#.*', lambda m: m.group(1) or "", line) for line in lines)
    return re.sub(r"^element\s+\w+\s*=\s*", "", re.sub(r"\s+", " ", text).strip())


def stem(file: str) -> str:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return name.removesuffix(".interp")
