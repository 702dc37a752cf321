"""The same atom across a comparison's pages: hover it on one, see it outlined on the others.

Each page of a comparison is its own embed, so a page's params cannot reach the
others. Rows whose atom has a page-independent name (the ``atom_id`` column:
``model · layer · channel N``, `interp.execute.pages.atom_ids`) are linked instead
by the page's script (`html.SCRIPT`): hovering such a row on one page sets every
other page's `Context.linked_param` to its id, and each view drawing that atom
outlines it (dashed, in the hover colour). Model alignment's twins (the other
model's channels) are thereby found among the other page's detectors, and back. A view
that shows atoms of the hovered atom's model and layer but not that one (a twin outside
the other page's top six) says so in a live line above it (`absent`), so a hover never
shows nothing without saying why.
"""

from __future__ import annotations

import altair as alt

from interp.execute.views import ATOM_ID, ATOM_ID_SEPARATOR, ComparisonView, ElementView, PageView
from interp.render import style
from interp.render.context import Context

DASH = [5, 3]


def page_ids(page: PageView) -> set[str]:
    """The atom ids the page shows."""
    found: set[str] = set()
    for element in page.elements:
        if ATOM_ID in element.table:
            found |= set(element.table[ATOM_ID].dropna().astype(str))
    return found


def family(atom_id: str) -> str:
    """The model and layer of an atom id ("model · layer · channel N" -> "model · layer")."""
    return atom_id.rpartition(ATOM_ID_SEPARATOR)[0]


def shared_ids(cmp: ComparisonView) -> list[frozenset[str]]:
    """Per page, the atom ids it shows of a model and layer another page shows atoms of
    (the same atom is outlined there; another of its layer is named as `absent`)."""
    shown = [page_ids(page) for page in cmp.pages]
    families = [{family(i) for i in ids} for ids in shown]
    return [
        frozenset(
            i for i in ids if any(family(i) in other for j, other in enumerate(families) if j != k)
        )
        for k, ids in enumerate(shown)
    ]


def links(view: ElementView, ctx: Context) -> bool:
    """Whether some atom of the view is shown on another page too."""
    if not ctx.linked or ATOM_ID not in view.table:
        return False
    return not ctx.linked.isdisjoint(view.table[ATOM_ID].dropna().astype(str))


def param(ctx: Context) -> list[dict]:
    """The page's linked-atom param (the id hovered on another page), when it links any."""
    return [{"name": ctx.linked_param, "value": None}] if ctx.linked else []


def test(ctx: Context) -> str:
    """The Vega expression true on rows of the atom hovered on another page."""
    return f"isValid(datum.{ATOM_ID}) && datum.{ATOM_ID} === {ctx.linked_param}"


def outline(view: ElementView, ctx: Context, unit: alt.Chart) -> alt.Chart | None:
    """`unit` (a chart of the view's rows) kept to the atom hovered on another page, as a
    dashed rectangle with no fill: the caller encodes where (None: the view links nothing)."""
    if not links(view, ctx):
        return None
    return unit.transform_filter(test(ctx)).mark_rect(
        fill=None,
        stroke=style.HOVER,
        strokeDash=DASH,
        strokeWidth=2.5,
        cornerRadius=4,
    )


def absent(view: ElementView, ctx: Context) -> alt.Chart | None:
    """A one-row chart whose ``_caption`` names the atom hovered on another page when this
    view shows others of its model and layer but not it (blank otherwise): drawn as a live
    line by `titles.live_lines`."""
    if not links(view, ctx):
        return None
    ids = sorted(set(view.table[ATOM_ID].dropna().astype(str)))
    hovered, cut = ctx.linked_param, f"lastindexof({ctx.linked_param}, {ATOM_ID_SEPARATOR!r})"
    missing = (
        f"isValid({hovered}) && indexof(datum._ids, {hovered}) < 0"
        f" && indexof(datum._families, slice({hovered}, 0, {cut})) >= 0"
    )
    # "channel N": the model and layer are this view's own
    atom = f"slice({hovered}, {cut} + {len(ATOM_ID_SEPARATOR)})"
    name = ctx.name(view, "absent")
    rows = [{"_ids": ids, "_families": sorted({family(i) for i in ids})}]
    return alt.Chart(ctx.dataset(name, rows), name=name).transform_calculate(
        # never empty: a blank keeps the line's height, so the title above it never moves
        _caption=f"{missing} ? {atom} + ' (hovered on another page) is not shown here' : ' '"
    )


def line(view: ElementView, ctx: Context) -> str:
    """The title's words for the link, on views that have one."""
    if not links(view, ctx):
        return ""
    noun = str(view.meta.get("atom_noun") or "atom")
    return f"dashed outline: the {noun} hovered on another page; hover one here to outline it there"


def note(shared: list[frozenset[str]]) -> str:
    """The comparison header's sentence on linked atoms, from its pages' `shared_ids` ("" when
    the pages share none)."""
    if not any(shared):
        return ""
    return (
        "The same channel of the same model and layer is linked across the pages: hover it on"
        " one page to outline it (dashed) wherever another page shows it."
    )
