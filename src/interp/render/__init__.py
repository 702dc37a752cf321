"""Render stage: Results (``PageView``) → Vega-Lite spec, self-contained HTML, PNG/SVG.

- :func:`page_spec` — one page as a Vega-Lite JSON dict (a concat of its elements);
- :func:`render_page` — that page as one HTML document that works offline;
- :func:`render_comparison` — several pages side by side with a metrics table;
- :func:`write_outputs` — HTML (and optionally JSON, PNG, SVG) written atomically.
"""

from __future__ import annotations

from interp.execute.views import ComparisonView, PageView
from interp.render import html, linking
from interp.render.compared import comparison_spec
from interp.render.context import Context
from interp.render.export import write_outputs
from interp.render.page import page_spec
from interp.render.style import shorten
from interp.vocabulary.measures import DEFINITIONS

__all__ = ["comparison_spec", "page_spec", "render_comparison", "render_page", "write_outputs"]


def render_page(page: PageView, spec: dict | None = None) -> str:
    """The page as HTML: a header (title, model, input) and the linked views.

    `spec`: the page's ``page_spec(page, titled=False)`` when the caller has it already."""
    if not isinstance(page, PageView):
        raise TypeError(
            f"render_page takes a PageView, a Result's page (render_page(result.pages[0])), "
            f"not {'None' if page is None else type(page).__name__}; "
            "a Result writes itself with result.save('page.html')"
        )
    spec = page_spec(page, titled=False) if spec is None else spec
    header = f"<h1>{html.esc(shorten(page.title or page.name))}</h1>\n" + html.meta_line(
        page.name, page.model, page.input
    )
    if page.metrics is not None and len(page.metrics):
        header += "\n" + metrics_panel(page.metrics)
    return html.document(
        page.title or page.name, header, html.view("interp-view-0", page.name, spec)
    )


def metrics_panel(metrics) -> str:
    """One page's interface metrics, folded under a summary line (open it to read them)."""
    used = {m: DEFINITIONS[m] for m in metrics["metric"].unique() if m in DEFINITIONS}
    return (
        '<details class="interp-metrics"><summary>Interface metrics: how far to trust '
        f"these views ({metrics['metric'].nunique()} measured)</summary>\n"
        + html.metrics_table(metrics, used)
        + "\n</details>"
    )


def render_comparison(cmp: ComparisonView) -> str:
    """Pages side by side, each its own embed with params prefixed per page, metrics on top."""
    from interp.render.compared import (
        COLUMNS,
        comparison_prefixes,
        comparison_row_width,
        shared_scales,
    )

    cmp = shared_scales(cmp)
    names = [page.name for page in cmp.pages]
    title = "Comparing " + ", ".join(page.title or page.name for page in cmp.pages)
    header = f"<h1>{html.esc(title)}</h1>\n" + (
        '<p class="meta">interfaces '
        + ", ".join(f"<code>{html.esc(n)}</code>" for n in names)
        + "</p>"
    )
    body = []
    if cmp.metrics is not None and len(cmp.metrics):
        body.append("<h2>Metrics</h2>\n" + html.metrics_table(cmp.metrics, cmp.definitions))
    if cmp.curves is not None and len(cmp.curves):
        from interp.render.curves import deletion_chart

        body.append(html.view("interp-deletion", "deletion", deletion_chart(cmp.curves)))
    sections = []
    shared = linking.shared_ids(cmp)
    note = linking.note(shared)
    if note:
        header += f'\n<p class="meta">{html.esc(note)}</p>'
    pages = zip(cmp.pages, comparison_prefixes(cmp), shared, strict=True)
    for i, (page, prefix, linked) in enumerate(pages):
        spec = page_spec(
            page,
            prefix=prefix,
            titled=False,
            row_width=comparison_row_width(cmp),
            linked=linked,
        )
        sections.append(
            "<section>\n"
            f"<h2>{html.esc(shorten(page.title or page.name))}</h2>\n"
            + html.meta_line(page.name, page.model, page.input)
            + "\n"
            + html.view(
                f"interp-view-{i}",
                page.name if names.count(page.name) == 1 else f"{page.name}#{i}",
                spec,
                link=Context(prefix=prefix).linked_param if linked else "",
            )
            + "\n</section>"
        )
    columns = min(len(sections), COLUMNS)  # pages side by side, wrapping beyond three
    body.append(
        f'<div class="columns" style="--columns: {columns}">\n' + "\n".join(sections) + "\n</div>"
    )
    return html.document(title, header, "\n".join(body))
