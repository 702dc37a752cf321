"""A comparison page's pages side by side: params prefixed per page, scales shared.

`compare A, B` draws each interface's page next to the others. Their params
and mark names are prefixed per page, so selections stay apart; elements the
pages share by name are drawn on one value scale (``meta["domain"]``), so a
randomized model's saliency does not look as strong as the trained one's just
because each is scaled to its own maximum.
"""

from __future__ import annotations

from dataclasses import replace

from interp.execute.views import ComparisonView, ElementView
from interp.render import context, linking, style
from interp.render.page import ROW_WIDTH, SPACING, concat, page_body, top_level
from interp.render.registry import DRAWINGS


def comparison_prefixes(cmp: ComparisonView) -> list[str]:
    """Per-page param prefixes: the page name, made unique by position when names repeat."""
    names = [p.name for p in cmp.pages]
    return [
        f"{name}__" if names.count(name) == 1 and context.IDENTIFIER.match(name) else f"p{i}__"
        for i, name in enumerate(names)
    ]


COLUMNS = 3  # compared pages per row: their titles, meta lines and views aligned row by row


def comparison_row_width(cmp: ComparisonView) -> float:
    """Narrower rows per page, so that the pages of one row fit side by side."""
    return max(ROW_WIDTH / max(min(len(cmp.pages), COLUMNS), 1), 420)


def shared_scales(cmp: ComparisonView) -> ComparisonView:
    """The pages with one value domain per element they share by name (``meta["domain"]``).

    Each view would otherwise scale colours and bars to its own maximum, and a
    randomized model's saliency would look as strong as the trained one's.
    """
    by_name: dict[str, list[ElementView]] = {}
    for page in cmp.pages:
        for element in page.elements:
            by_name.setdefault(element.name, []).append(element)
    domains = {}
    for name, views in by_name.items():
        if len(views) < 2 or len({v.presentation for v in views}) > 1:
            continue
        robust = DRAWINGS[views[0].presentation].robust_domain
        lows, highs = zip(*(style.value_domain(v, robust=robust) for v in views), strict=True)
        low, high = min(lows), max(highs)
        if low < 0 < high:
            low, high = -max(-low, high), max(-low, high)
        domains[name] = (low, high)

    def shared(element: ElementView) -> ElementView:
        if element.name not in domains:
            return element
        return replace(element, meta={**element.meta, "domain": domains[element.name]})

    pages = tuple(
        replace(page, elements=tuple(shared(e) for e in page.elements)) for page in cmp.pages
    )
    return replace(cmp, pages=pages)


def comparison_spec(cmp: ComparisonView, *, validate_schema: bool = False) -> dict:
    """All pages side by side in one spec (for JSON/PNG export), params prefixed per page."""
    cmp = shared_scales(cmp)
    bodies, params, datasets = [], [], {}
    pages = zip(cmp.pages, comparison_prefixes(cmp), linking.shared_ids(cmp), strict=True)
    for page, prefix, linked in pages:
        body, page_params, page_datasets = page_body(
            page, prefix=prefix, row_width=comparison_row_width(cmp), linked=linked
        )
        bodies.append(body)
        params.extend(page_params)
        datasets.update(page_datasets)
    body = concat("hconcat", bodies, SPACING * 2)
    return top_level(body, params, datasets, validate_schema)
