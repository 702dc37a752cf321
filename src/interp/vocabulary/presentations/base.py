"""What a presentation declares: everything the checker and the planner ask of it.

A declaration says, with no torch and no drawing library:

- `signature`: its arguments (the checker binds calls through it);
- `fit`: whether it can show a content with given free axes, and the hint when not;
  `fit_dataset`: the same for a content over a dataset (`shows_examples` says whether
  it can show an example axis at all);
- `element_axes`: the element's atoms as this presentation offers them to selections;
- `icon_layers` / `icon_counts` / `icon_diversity` / `icon_side`: which feature
  visualizations it draws, on which layers, how many and how large (the planner
  batches, bounds and sizes them);
- `content_node` / `icon_reads` / `view_reads`: the plan values it needs besides the
  element's array, asked of the planner's scope (passed in: the declaration imports
  no stage above it).

Its table lives in `execute/tables/` and its drawing in `render/`, each found by the
declared `name`. Subclassing `Presentation` with a `name` registers the declaration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from interp.named import Named
from interp.vocabulary.axes import Axis, free_atoms
from interp.vocabulary.signatures import Signature

if TYPE_CHECKING:
    from interp.check.program import Content, Element, Substrate
    from interp.check.program import Presentation as Call

# (message, hint), or (message, hint, option): the problem is in that option's value
Problem = tuple[str, str] | tuple[str, str, str]

REGISTRY: dict[str, Presentation] = {}


class Presentation(Named):
    """Base declaration: a presentation that draws no icons and needs nothing extra."""

    registry = REGISTRY
    kind = "presentation"
    signature: ClassVar[Signature]
    #: whether it can show a content's `example` axis (a content over a dataset)
    shows_examples: ClassVar[bool] = False
    #: whether it lays out every sampled activation vector of a dataset (an atlas): a
    #: dataset pass samples vectors for it, and selecting on it selects a cell
    lays_out_vectors: ClassVar[bool] = False

    # ---- check ------------------------------------------------------------------------

    def fit(self, call: Call, content: Content, axes: tuple[Axis, ...]) -> Problem | None:
        """Why this presentation cannot show `content` with free `axes`; None when it can."""
        if content.kind == "substrate":
            return (
                f"a bare substrate can only be shown as image(...), not {self.name}",
                "use activations(...) or attribution(...) as content",
            )
        return None

    def fit_dataset(self, call: Call, ops: tuple, ranked: bool) -> tuple[str, str, str] | None:
        """Why it cannot show a content over a dataset after `ops` (`ranked`: one of them is
        a `top(k)`): (message, hint, where), `where` "presentation" or "ops"; None when it
        can. Asked only of those that `shows_examples`."""
        return None

    def element_axes(self, call: Call, axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
        """The element's free axes as this presentation shows them (its atoms)."""
        return axes

    def substrates(self, call: Call) -> tuple[Substrate, ...]:
        """The substrates its options name (`image(grid=L.spatial)`): read by the pass."""
        kinds = {p.name: p.kind for p in self.signature.params}
        return tuple(v for k, v in call.options if kinds.get(k) == "substrate")

    # ---- plan ---------------------------------------------------------------------------

    def content_node(self, element: Element, scope: Any) -> Any:
        """The plan node of the element's content when this presentation computes its own
        (an atlas's cells); None: the content's usual node."""
        return None

    def icon_layers(self, element: Element) -> tuple[tuple[Any, str], ...]:
        """(model, layer) of the feature visualizations this element shows (none by default);
        model None is the interface's."""
        return ()

    def icon_diversity(self, element: Element) -> int:
        """How many different pictures each icon of this element gets (one by default)."""
        return 1

    def icon_reads(self, element: Element, scope: Any) -> tuple[Any, ...]:
        """The plan nodes its icons' objectives read after the element's final array."""
        return ()

    def view_reads(self, element: Element, scope: Any) -> tuple[Any, ...]:
        """The plan nodes its table reads besides the element's array, atoms and icons."""
        return ()

    def icon_side(self, element: Element, shape) -> float | None:
        """The side, in CSS pixels, at which this element draws its icons (the planner
        optimizes them for that); None: unknown, drawn at the preset's size.
        `shape(model, layer)` is a layer's output shape `(C, H, W)`, or None when unknown."""
        return None

    def icon_counts(self, element: Element, sizes: dict[str, int]) -> dict[tuple, int]:
        """(model, layer) -> at most how many icons this element shows there (`plan.bounds`)."""
        return {}


# ---- what several declarations share --------------------------------------------------------


def layer_atom_axes(element: Element) -> list[tuple[str, Substrate]]:
    """(axis name, substrate) for each side of the content whose atoms are a layer's
    channels or groups: the atoms a feature visualization can draw."""
    sides = (("", element.content.source), ("t", element.content.target))
    found = []
    for prefix, substrate in sides:
        if substrate is not None and substrate.kind == "layer":
            found.append((prefix + ("group" if substrate.groups else "channel"), substrate))
    return found


def layer_icon_reads(element: Element, scope: Any) -> tuple[Any, ...]:
    """The factorizations a layer atom's icons read (one per grouped side)."""
    return tuple(scope.factors(s) for _, s in layer_atom_axes(element) if s.groups)


def layer_icon_counts(element: Element, sizes: dict[str, int]) -> dict[tuple, int]:
    """Icons per (model, layer) for presentations that draw layer atoms: one per coordinate kept."""
    counts: dict[tuple, int] = {}
    for axis, substrate in layer_atom_axes(element):
        where = (substrate.model, substrate.layer)
        counts[where] = counts.get(where, 0) + sizes.get(axis, 0)
    return counts


def free_layer_atoms(axes: tuple[Axis, ...]) -> list[Axis]:
    return [a for a in free_atoms(axes) if a.origin[0] not in (None, "output", "input")]


def spatial_atoms(axes: tuple[Axis, ...]) -> list[Axis]:
    return [a for a in free_atoms(axes) if a.name in ("x", "y", "tx", "ty")]
