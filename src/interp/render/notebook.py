"""A page inside a notebook: the whole self-contained document in an ``<iframe srcdoc>``.

A page is a full HTML document: its own styles, the Vega bundle, and Vega-Lite
params and element ids named after the interface's elements. Pasted into a
notebook, two pages would share ids and params and the page's styles would
restyle the notebook. In an iframe each page is a document of its own:
nothing leaks in or out, and two results in one notebook never meet.

The frame starts at the height the spec's views add up to, and the page sizes
its frame exactly once Vega has drawn (and whenever its content grows), when the
frame is same-origin (``srcdoc`` frames are; a sandboxed viewer keeps the
estimate).
"""

from __future__ import annotations

import html

from interp.execute.views import ComparisonView, PageView

#: height of the page around its views: header (title, meta line), padding, footer
CHROME = 170
#: per view: its title and the caption lines above it
VIEW_TITLE = 40
DEFAULT_HEIGHT = 600

FIT = """
<script>
(function () {
  const frame = window.frameElement;  // null when the frame is cross-origin: keep the estimate
  if (!frame) return;
  const root = document.documentElement;
  const fit = () => {
    const scrollbar = window.innerHeight - root.clientHeight;  // a horizontal scrollbar, if any
    frame.style.height = (root.scrollHeight + scrollbar) + "px";
  };
  (window.__interp_ready || Promise.resolve()).then(fit, fit);
  if (window.ResizeObserver) new ResizeObserver(fit).observe(document.body);
})();
</script>
"""


def notebook_html(view: PageView | ComparisonView) -> str:
    """An ``<iframe>`` holding the page (or comparison) as its own document."""
    from interp.render import page_spec, render_comparison, render_page

    if isinstance(view, ComparisonView):
        document, height, title = render_comparison(view), DEFAULT_HEIGHT, "comparison"
    else:
        spec = page_spec(view, titled=False)
        document = render_page(view, spec)
        height = int(spec_extent(spec)[1]) + CHROME
        title = view.title or view.name
    return frame(document, height, title)


def frame(document: str, height: int, title: str) -> str:
    """`document` in a full-width, borderless iframe `height` pixels high (escaped for ``srcdoc``)."""
    head, end, tail = document.rpartition("</body>")  # the last: the bundle may spell one too
    fitted = head + FIT + end + tail if end else document + FIT
    return (
        f'<iframe class="interp-frame" title="{html.escape(title, quote=True)}"'
        f' srcdoc="{html.escape(fitted, quote=True)}"'
        f' style="width: 100%; height: {height}px; border: 0; display: block"></iframe>'
    )


def spec_extent(spec: dict) -> tuple[float, float]:
    """(width, height) in pixels of a page's views, roughly: fixed-size views in
    ``concat`` rows (how `render.page` lays them out), each with a title above."""
    if "concat" in spec:
        parts = [spec_extent(child) for child in spec["concat"]]
        columns = max(1, int(spec.get("columns") or len(parts) or 1))
        spacing = float(spec.get("spacing", 20))
        rows = [parts[i : i + columns] for i in range(0, len(parts), columns)]
        widths = [sum(w for w, _ in row) + spacing * (len(row) - 1) for row in rows]
        heights = [max(h for _, h in row) for row in rows]
        return max(widths, default=0.0), sum(heights) + spacing * max(len(rows) - 1, 0)
    width, height = (spec.get(side, 0) for side in ("width", "height"))
    return (
        float(width) if isinstance(width, (int, float)) else 0.0,
        (float(height) if isinstance(height, (int, float)) else 0.0) + VIEW_TITLE,
    )


def saved_bytes(view: PageView | ComparisonView, suffix: str, *, scale: float = 2.0) -> bytes:
    """The page (or comparison) as the bytes of an ``.html``, ``.png``, ``.json`` or ``.svg`` file."""
    import json

    from interp.render import comparison_spec, page_spec, render_comparison, render_page
    from interp.render.export import to_png, to_svg

    comparing = isinstance(view, ComparisonView)
    if suffix == ".html":
        return (render_comparison(view) if comparing else render_page(view)).encode()
    spec = comparison_spec(view) if comparing else page_spec(view)
    if suffix == ".png":
        return to_png(spec, scale=scale)
    if suffix == ".svg":
        return to_svg(spec).encode()
    if suffix == ".json":
        return (json.dumps(spec, indent=1) + "\n").encode()
    raise ValueError(f"no format for {suffix!r}")


def element_chart(page: PageView, name: str, selected: dict[str, object]):
    """One element of `page` as a standalone Altair chart (its data inlined as datasets).

    The element's selections (`select(E.hover)`) become fixed: its rows are those
    of `E`'s atom in `selected` (a key such as ``"12"`` or a label such as
    ``"ch 12"``), else of `E`'s initial atom; the subtitle's last line names it.
    Its own hover and click highlights still work.
    """
    from dataclasses import replace

    from interp.execute.words import spelled
    from interp.render.context import Context
    from interp.render.offline import offline
    from interp.render.page import CONFIG, initial_selections, selector_labels
    from interp.render.registry import DRAWINGS

    view = next(e for e in page.elements if e.name == name)
    labels = selector_labels(page)
    chosen = initial_selections(page)
    for selector, atom in selected.items():
        chosen[selector] = _selected_key(page, labels, selector, atom)
    table, notes = view.table, []
    for selection in view.depends_on:
        key = chosen.get(selection.element)
        if key is None or selection.key not in table:
            continue
        table = table[table[selection.key] == key]
        label = labels.get(selection.element, {}).get(key, key)
        notes.append(f"showing {spelled(label)} of {selection.element}")
    subtitle = " · ".join(part for part in (view.meta.get("subtitle"), *notes) if part)
    fixed = replace(
        view,
        table=table.reset_index(drop=True),
        depends_on=(),
        meta={**view.meta, "subtitle": subtitle} if subtitle else view.meta,
    )
    ctx = Context(initial=chosen, labels=labels)
    chart = DRAWINGS[view.presentation].chart(fixed, ctx).chart
    chart.datasets = ctx.datasets
    chart.config = CONFIG
    chart.padding = 8
    return offline(chart)


def _selected_key(page: PageView, labels: dict, selector: str, atom: object) -> str:
    """`atom` (a key or a label of one of `selector`'s atoms) as its key text."""
    from interp.errors import Diagnostic, did_you_mean
    from interp.keys import key_text
    from interp.options import OptionValueError

    if selector not in labels:
        offering = [e.name for e in page.elements if e.offers]
        raise OptionValueError(
            Diagnostic(
                f"selected names {selector!r}, which no element of {page.name!r} selects on",
                hint=did_you_mean(selector, offering),
            )
        )
    atoms = labels[selector]
    text = key_text(atom)
    if text in atoms:
        return text
    named = [key for key, label in atoms.items() if label == text]
    if len(named) == 1:
        return named[0]
    if named:
        raise OptionValueError(
            Diagnostic(
                f"{selector} offers several atoms labelled {text!r}",
                hint="name one by its key: " + " or ".join(repr(k) for k in named),
            )
        )
    raise OptionValueError(
        Diagnostic(
            f"{selector} offers no atom {atom!r}",
            hint=did_you_mean(text, [*atoms.values(), *atoms]),
        )
    )
