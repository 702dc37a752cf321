"""Attribution families and the targets each must cover, read off the elements' selections.

An attribution family (same content, source, target, method and pooling) is
one batched node however many elements show it; its target classes or
channels are bounded by what those elements' selections can reach. This is
the bookkeeping behind that bound; `plan.scope` turns it into `Restriction`s.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.check.program import Content, Element, SelectAt, SelectFrom

RESTRICTABLE = ("class", "tchannel")  # target axes computed only where a selection can reach


def family_of(content: Content) -> tuple:
    """What makes two attribution contents one family (one batched `Attribute`)."""
    return (content, content.source, content.target, content.method, content.maxpool)


@dataclass(frozen=True)
class Need:
    """What targets one element reads: literal `values`, or the atoms `element` offers on `axis`."""

    values: tuple[int | str, ...] = ()
    element: str = ""
    axis: str = ""


def need_of(element: Element) -> Need | None:
    """The target classes or channels a selection of `element` can reach; None: all."""
    target = element.content.target
    if target is None or target.groups is not None:
        return None
    if target.kind == "output" and target.labels:
        return None  # the family computes just its named classes anyway
    for op in element.ops:
        if isinstance(op, SelectFrom):
            for theirs, ours in op.bindings:
                if ours in RESTRICTABLE:
                    return Need(element=op.element, axis=theirs)
        if isinstance(op, SelectAt):
            for name, values in op.coords:
                if name in RESTRICTABLE:
                    return Need(values=tuple(values))
    return None
