"""Contents declared as words of their own: what `weights(A -> B)` is, for every stage.

`activations`, `attribution` and `correlation` predate this table and are
described in docs/semantics.md; a content added since is declared here, with
no torch: its name, an example, its axes, and how `top(k)` ranks its values.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the axes of a kernel's spatial offsets (rows, columns), kept whole by `top` and `select`
KERNEL_AXES = ("ky", "kx")


@dataclass(frozen=True)
class ContentDeclaration:
    name: str
    example: str
    axes: tuple[str, ...]
    ranking: str  # how `top(k)` ranks one coordinate, in words


WEIGHTS = ContentDeclaration(
    "weights",
    'weights(layer("blocks.5.2").channels -> layer("blocks.5.3.bn2").channels)',
    ("channel", "tchannel", *KERNEL_AXES),
    # the Circuits thread reads a kernel's sign: excitation positive, inhibition negative
    "the kernel's signed sum over ky, kx (excitatory first)",
)

CONTENTS: dict[str, ContentDeclaration] = {WEIGHTS.name: WEIGHTS}
