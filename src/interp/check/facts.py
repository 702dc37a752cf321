"""What the checker knows about a model, and the checks that need it.

`interp.check.model_binding` loads each interface's model and measures it once into a
:class:`ModelFacts` (plain data: no torch here, so the static checker stays
light); the checker then walks the spec again with the facts at hand, so a
layer path, a class label, a coordinate or a size that the model does not
have is reported where it is written, with the valid names or range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from interp.check.program import Groups
from interp.errors import did_you_mean


@dataclass(frozen=True)
class ModelFacts:
    """One model, measured: every module path in module order, the output shape
    of each module that returns one tensor (without the batch axis, e.g. (C, H, W)),
    the spatial layers whose activations are non-negative, its class labels and
    its input size."""

    name: str
    layers: tuple[str, ...]
    shapes: Mapping[str, tuple[int, ...]]
    nonnegative: tuple[str, ...]  # in module order
    labels: tuple[str, ...]
    input_size: int
    lister: str = ""  # how a user lists the layers: "`interp layers NAME` lists them all"
    # which layers feed which (`interp.models.flow.LayerGraph`), traced when first asked
    flow: Callable[[], Any] | None = field(default=None, compare=False, repr=False)
    # why the path between two layers has no expanded weights (`interp.models.linear`), probed
    linear_path: Callable[[str, str], tuple[str, str] | None] | None = field(
        default=None, compare=False, repr=False
    )
    #: a module run more than once per pass: the module finished just before each call
    reused: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: each module's place in the order modules finish (a parent after its children)
    finish: Mapping[str, int] = field(default_factory=dict)

    def cube(self, layer: str | None) -> tuple[int, int, int] | None:
        """(channels, height, width) of a layer that outputs a cube; None otherwise."""
        shape = self.shapes.get(layer or "")
        return shape if shape is not None and len(shape) == 3 else None  # type: ignore[return-value]

    # ---- checks: a (message, hint) pair for each problem, None when all is well ----

    def unknown_layer(self, layer: str) -> tuple[str, str] | None:
        if layer in self.layers:
            return None
        return (
            f"model {self.name} has no layer {layer!r}",
            did_you_mean(layer, sorted(self.layers, key=_natural))
            + (f" ({self.lister})" if self.lister else ""),
        )

    def called_more_than_once(self, layer: str) -> tuple[str, str] | None:
        """A module run several times per pass has no one output to read (DESIGN.md §8)."""
        calls = self.reused.get(layer)
        if not calls:
            return None
        after = ", ".join(f"call {i} after {name!r}" for i, name in enumerate(calls, 1))
        parent = layer.rpartition(".")[0]
        return (
            f"layer {layer!r} runs {len(calls)} times in one forward pass ({after}), "
            "so it has no one output to read",
            "read a module that runs once: the one before a call"
            + (f" (e.g. {calls[0]!r})" if calls[0] != "the input" else "")
            + (f", or the enclosing block {parent!r}" if parent else ""),
        )

    def finishes_before(self, source: str, target: str) -> tuple[str, str] | None:
        """Attribution flows forward: its target must finish after its source."""
        if source not in self.finish or target not in self.finish:
            return None
        if self.finish[target] >= self.finish[source]:
            return None
        inside = " (it runs inside it)" if target.startswith(source + ".") else ""
        return (
            f"attribution flows from earlier to later, and layer {target!r} finishes "
            f"before layer {source!r}{inside}",
            "swap the sides, or attribute to a layer that runs after the source",
        )

    def not_a_cube(self, layer: str, atoms: str) -> tuple[str, str] | None:
        shape = self.shapes.get(layer)
        if shape is None or len(shape) == 3:
            return None
        cubes = [name for name, s in self.shapes.items() if len(s) == 3 and s[1] > 1]
        return (
            f"layer {layer!r} outputs shape {shape}, not a (channels, height, width) cube, "
            f"so it has no .{atoms}",
            "use a convolutional layer, e.g. "
            + ", ".join(repr(n) for n in self.near(layer, cubes)),
        )

    def unknown_class(self, label: str) -> tuple[str, str] | None:
        if label in self.labels:
            return None
        return f"unknown class {label!r}", did_you_mean(label, self.labels)

    def not_later(self, groups: Groups) -> tuple[str, str] | None:
        """`compatible=` must name the groups of a layer this one feeds (later in module order)."""
        later = groups.compatible
        if later is None or groups.layer not in self.layers or later.layer not in self.layers:
            return None
        order = self.finish if {later.layer, groups.layer} <= set(self.finish) else None
        if order is not None and order[later.layer] > order[groups.layer]:
            return None
        if order is None and self.layers.index(later.layer) > self.layers.index(groups.layer):
            return None
        return (
            f"groups of {groups.layer!r} can only be made compatible with a later layer's "
            f"groups, and {later.layer!r} is not later",
            "compatible= names the groups of a layer this one feeds",
        )

    def not_upstream(self, a: str, b: str) -> tuple[str, str] | None:
        """`weights(A -> B)` needs A's output to flow into B's (traced, not module order)."""
        if self.flow is None or a not in self.layers or b not in self.layers:
            return None
        graph = self.flow()
        if graph.upstream(a, b):
            return None
        if a == b or graph.same_output(a, b):
            return (
                f"{a!r} and {b!r} are the same activation: weights connect two layers",
                "name a layer that feeds the other, e.g. the block before it",
            )
        if graph.upstream(b, a):
            return (
                f"weights flow from an earlier layer to a later one, and {a!r} comes after {b!r}",
                f'swap the sides: weights(layer("{b}").channels -> layer("{a}").channels)',
            )
        return (
            f"{a!r} does not feed {b!r}: no path of the model runs from one to the other",
            f"`interp layers {self.name}` shows which layer feeds which (column `from`)",
        )

    def not_linear(self, a: str, b: str) -> tuple[str, str] | None:
        """`weights(A -> B)` needs the path to be linear once its activations are the identity."""
        return None if self.linear_path is None else self.linear_path(a, b)

    def too_many_groups(self, groups: Groups) -> tuple[str, str] | None:
        """NMF finds at most min(positions, columns) groups in a layer's matrix; signed
        matrices (gradients, attributions) are split into twice the channels."""
        cube = self.cube(groups.layer)
        if cube is None:
            return None
        channels, height, width = cube
        signed = groups.of != "activations"
        columns = 2 * channels if signed else channels
        most = min(height * width, columns)
        if groups.k <= most:
            return None
        split = f" ({columns} once split by sign)" if signed and columns < height * width else ""
        return (
            f"groups({groups.k}): layer {groups.layer!r} has {height} x {width} = "
            f"{height * width} positions and {channels} channels{split}, "
            f"so NMF finds at most {most} groups",
            f"use .groups(k) with k from 1 to {most}",
        )

    def signed(self, layer: str) -> tuple[str, str] | None:
        """Why NMF of `layer`'s activations is impossible (negative values), or None."""
        if layer in self.nonnegative:
            return None
        cubes = [name for name in self.nonnegative if self.shapes[name][1] > 1]
        why = (
            "has negative activations"
            if layer in self.shapes
            else "is not one of the layers measured to be non-negative"
        )
        return (
            f"NMF needs non-negative data, and {layer!r} {why}",
            "factorize a post-activation layer, e.g. "
            + ", ".join(repr(n) for n in self.near(layer, cubes))
            + "; or use of=gradient / of=attribution, which are split into positive and "
            "negative parts",
        )

    def near(self, layer: str, allowed: list[str], n: int = 4) -> list[str]:
        """The `n` layers of `allowed` nearest to `layer`: its own sublayers first, then
        the closest in module order; a layer's submodule of the same output is skipped."""
        allowed_set = set(allowed)
        outer = [name for name in allowed if name.rpartition(".")[0] not in allowed_set] or allowed
        position = {name: i for i, name in enumerate(self.layers)}
        here = position.get(layer, 0)
        inside = [name for name in outer if name.startswith(layer + ".")]
        rest = sorted(
            (name for name in outer if name not in inside),
            key=lambda name: abs(position.get(name, 0) - here),
        )
        return (inside + rest)[:n]


def _natural(name: str) -> list[tuple[int, int | str]]:
    """Sort key: `blocks.10` after `blocks.9`; numbers before names at any level."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in name.split(".")]
