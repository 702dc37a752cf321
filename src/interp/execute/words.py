"""What a view shows, in words: the lines a reader needs without the spec beside the page.

Pure functions of the bound element (no arrays, no torch): the quantity and
its method, the layer, the operations, the nouns of its atoms, and the name
(with unit) of the number it draws. `render.tables` carries them to the
renderer in `ElementView.meta`:

- ``meta["describe"]``: one sentence, e.g. ``Attribution (activation ×
  gradient) of blocks.4.2.bn1 channels to "Egyptian cat" and "tabby", top 6
  per class``;
- ``meta["quantity"]``: the value's name for axes, legends and tooltips
  (``probability``, ``attribution to the logit``);
- ``meta["nouns"]``: the noun of each atom axis (``channel``, ``class``,
  ``position``), so titles say "hover a channel" and tooltips "channel".
"""

from __future__ import annotations

import re

from interp.check.program import (
    Aggregate,
    Content,
    Element,
    Method,
    Reduce,
    SelectAt,
    Softmax,
    Substrate,
    Sum,
    Top,
)
from interp.keys import source_name
from interp.vocabulary.methods import ABLATION, METHODS

NOUNS = {
    "channel": "channel",
    "group": "group",
    "class": "class",
    "x": "position",
    "y": "position",
    "component": "component",
    "example": "example",
    "cell": "cell",
}
PLURALS = {"class": "classes", "position": "positions", "example": "examples"}


def plural(noun: str) -> str:
    return PLURALS.get(noun, noun + "s")


def noun(axis: str) -> str:
    """The reader's word for one coordinate of `axis` (`tchannel` -> ``channel``)."""
    return NOUNS.get(source_name(axis), source_name(axis))


def quoted(labels: tuple[str, ...]) -> str:
    """``"a"``, ``"a" and "b"``, ``"a", "b" and "c"``."""
    words = [f'"{label}"' for label in labels]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def method_text(method: Method) -> str:
    """The method's own words (its declaration's `describe`), with its arguments."""
    known = METHODS.get(method.name)
    words = known.describe if known else method.name
    args = ", ".join(f"{k}={v}" for k, v in method.arguments)
    return f"{words}, {args}" if args else words


def ablation_words(method: Method) -> str:
    """What `ablation(..., to=...)` computes, in words: `original − ablated, each atom set to zero`."""
    to = dict(method.arguments).get("to", "zero")
    what = (
        {"zero": "zero", "mean": "its mean over positions"}.get(to) if isinstance(to, str) else None
    )
    return (
        f"original − ablated logit; each atom alone set to {what or f'the activations of {to[1]}'}"
    )


def layer_text(substrate: Substrate) -> str:
    model = f" of {substrate.model.to_text()}" if substrate.model is not None else ""
    return f"{substrate.layer}{model}"


def substrate_text(substrate: Substrate) -> str:
    """The substrate and its atoms as a noun phrase: ``blocks.4.2.bn1 channels``."""
    if substrate.kind == "input":
        return "the input pixels" if substrate.atoms == "spatial" else "the input"
    if substrate.kind == "output":
        return quoted(substrate.labels) if substrate.labels else "the classes"
    if substrate.kind != "layer":
        return substrate.describe()
    layer = layer_text(substrate)
    if substrate.groups is not None:
        groups = substrate.groups
        of = "" if groups.of == "activations" else f"'s {groups.of}s"
        return f"the {groups.k} {groups.factorize.upper()} groups of {layer}{of}"
    atoms = {"spatial": "positions", "channels": "channels", "neurons": "neurons"}
    return f"{layer} {atoms.get(substrate.atoms or '', 'activations')}"


def short_text(substrate: Substrate) -> str:
    """A column heading for the substrate's atoms: ``blocks.3.2.bn1 groups``, ``classes``."""
    if substrate.kind == "input":
        return "input pixels"
    if substrate.kind == "output":
        return quoted(substrate.labels) if substrate.labels else "classes"
    if substrate.kind != "layer":
        return substrate.describe()
    if substrate.groups is not None:
        return f"{layer_text(substrate)} groups"
    atoms = {"spatial": "positions", "channels": "channels", "neurons": "neurons"}
    return f"{layer_text(substrate)} {atoms.get(substrate.atoms or '', '')}".strip()


def bound_sides(element: Element) -> dict[str, str]:
    """Which side ("source"/"target") a `select(E.event)` binds, and with which event."""
    from interp.check.axes import content_axes

    sides = {a.name: a.side for a in content_axes(element.content)}
    bound: dict[str, str] = {}
    for selection in element.selections:
        for _, ours in selection.bindings:
            if ours in sides and sides[ours] not in bound:
                bound[sides[ours]] = selection.event
    return bound


def selected_text(substrate: Substrate, event: str) -> str:
    """``the hovered channel`` / ``the clicked class``: a side bound by a selection."""
    verb = {"hover": "hovered", "click": "clicked"}.get(event, "selected")
    if substrate.kind == "output":
        if substrate.labels:  # a selection elsewhere may name a class this side lacks
            return f"the {verb} class (computed for {quoted(substrate.labels)} only)"
        return f"the {verb} class"
    if substrate.kind == "input":
        return f"the input pixels at the {verb} position"
    if substrate.groups is not None and not substrate.footprint:
        return f"the {verb} group of {layer_text(substrate)}"
    atom = {"spatial": "position", "channels": "channel", "neurons": "neuron"}.get(
        substrate.atoms or "", "atom"
    )
    return f"the {verb} {atom} of {layer_text(substrate)}"


def quantity_text(element: Element) -> str:
    """The sentence's head: what is computed, of what, by which method."""
    content: Content = element.content
    softmax = any(isinstance(op, Softmax) for op in element.ops)
    source = content.source
    if content.kind == "attribution" and content.target is not None:
        target = content.target
        bound = bound_sides(element)
        source_words = (
            selected_text(source, bound["source"]) if "source" in bound else substrate_text(source)
        )
        target_words = (
            selected_text(target, bound["target"]) if "target" in bound else substrate_text(target)
        )
        if content.method.name == ABLATION.name:  # ablation(S -> T, to=...): not a gradient
            return f"ablation effect of {source_words} on {target_words} ({ablation_words(content.method)})"
        return f"attribution ({method_text(content.method)}) of {source_words} to {target_words}"
    if content.kind == "weights" and content.target is not None:
        bound = bound_sides(element)
        ends = [
            selected_text(s, bound[side]) if side in bound else substrate_text(s)
            for side, s in (("source", source), ("target", content.target))
        ]
        return (
            f"weights from {ends[0]} to {ends[1]} (each pair's spatial kernel, input-independent)"
        )
    if content.kind == "activations":
        if source.kind == "output":
            return "probabilities of the classes (softmax of the logits)" if softmax else "logits"
        words = f"activations of {substrate_text(source)}"
        bound = {ours for s in element.selections for _, ours in s.bindings}
        event = next((s.event for s in element.selections), "hover")
        verb = {"hover": "hovered", "click": "clicked"}.get(event, "selected")
        if source.kind != "layer":
            return words
        if source.atoms == "spatial" and source.groups is None:
            hows = {getattr(s, "how", "bind") for s in element.selections}
            if "project" in hows:  # an atlas cell selects a direction, not a channel
                return (
                    f"activations of {layer_text(source)} at each position along the {verb}"
                    " atlas cell's direction"
                )
            if "members" in hows:
                return f"activation vectors of {layer_text(source)} in the {verb} atlas cell"
            if "channel" in bound:
                return f"activations of the {verb} channel of {layer_text(source)} at each position"
            return f"activation vectors of {layer_text(source)} at each position"
        if source.groups is not None and source.footprint:
            return words + " at each position"
        if bound & {"x", "y"}:
            return words + f" at the {verb} position"
        return words + ", summed over positions"
    if content.kind == "substrate":
        return substrate_text(source)
    return content.kind


def ops_text(element: Element) -> list[str]:
    """The operations a reader needs to know about: top-k, reductions, sums, literal selects."""
    from interp.check.axes import content_axes

    sides = {a.side: noun(a.name) for a in content_axes(element.content) if a.role == "atom"}
    words = []
    for op in element.ops:
        if isinstance(op, Top):
            per = f" per {sides.get('target' if op.per == 'target' else 'source', 'atom')}"
            words.append(f"top {op.k}" + (per if op.per else ""))
        elif isinstance(op, Reduce):
            words.append(f"reduced to {op.n} {op.method.upper()} components")
        elif isinstance(op, Sum):
            words.append("summed over " + ", ".join(op.over))
        elif isinstance(op, Aggregate):
            words.append(aggregate_text(op, element))
        elif isinstance(op, SelectAt):
            words.append(
                "at "
                + "; ".join(
                    f"{noun(name)} " + ", ".join(str(v) for v in values)
                    for name, values in op.coords
                )
            )
    return words


def aggregate_text(op: Aggregate, element: Element) -> str:
    """`mean over the examples of dataset(...).where(label="cat")`, and the like."""
    over = element.content.over
    what = ", ".join(
        f"the examples of {over.describe()}" if name == "example" and over else plural(noun(name))
        for name in op.over
    )
    if op.how == "count":
        return f"counted: how many of {what} rank it among their top {op.top}"
    if op.how == "quantile":
        return f"{op.q:g} quantile over {what}"
    return f"{'summed' if op.how == 'sum' else 'mean'} over {what}"


def sentence(element: Element) -> str:
    """What the element shows, as one sentence (the presentation may add how to read it)."""
    return capitalized(", ".join([quantity_text(element), *ops_text(element)]))


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def quantity(element: Element) -> str:
    """The value's name, with its unit where it has one: axis, legend and tooltip title."""
    content = element.content
    if any(isinstance(op, Reduce) for op in element.ops):
        return "component score"
    if any(isinstance(op, Aggregate) and op.how == "count" for op in element.ops):
        return "examples (count)"
    if content.kind == "attribution" and content.target is not None:
        target = content.target
        if content.method.name == ABLATION.name:
            return "logit change when ablated"
        if target.kind == "output":
            return "attribution to the logit"
        if target.groups is not None:
            return "attribution to the group's activation"
        if target.atoms == "spatial":
            return "attribution to the position's activation"
        return "attribution to the channel's activation"
    if content.kind == "weights":
        return "weight"
    if content.kind == "activations":
        if content.source.kind == "output":
            return "probability" if any(isinstance(op, Softmax) for op in element.ops) else "logit"
        return "activation"
    if content.kind == "correlation":
        return "correlation (Pearson r)"
    return "value"


def offered_noun(element: Element) -> str:
    """The noun of what hovering or clicking this element picks: its layer atom first."""
    axes = [a.name for a in element.atom_axes]
    for axis in axes:
        if source_name(axis) in ("channel", "group"):
            return noun(axis)
    return noun(axes[0]) if axes else "atom"


def element_meta(element: Element) -> dict:
    """What `render.tables` adds to `ElementView.meta` for every view (the presentation may
    replace ``describe`` and add ``reading``: how to read its marks)."""
    return {
        "describe": sentence(element),
        "quantity": quantity(element),
        "nouns": {a.name: noun(a.name) for a in element.atom_axes},
        "offered": offered_noun(element),
    }


_CHANNEL = re.compile(r"^ch (\S+)$")
_POSITION = re.compile(r"^\(x? ?(-?\d+), y? ?(-?\d+)\)$")


def spelled(label: str) -> str:
    """An atom's label in full words: ``ch 12`` -> ``channel 12``, ``(3, 4)`` -> ``position (3, 4)``."""
    channel = _CHANNEL.match(label)
    if channel:
        return f"channel {channel.group(1)}"
    position = _POSITION.match(label)
    if position:
        return f"position ({position.group(1)}, {position.group(2)})"
    return label
