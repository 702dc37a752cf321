"""The self-contained HTML shell: inlined Vega/Vega-Lite/vega-embed, escaped text.

Nothing on the page needs the network: the JavaScript bundle comes from
vl-convert (the same Vega-Lite version Altair targets), gzipped and base64'd
into the page (a third of its 0.9 MB; the browser's own ``DecompressionStream``
unpacks it), images are ``data:`` URLs inside the specs. Every user string goes through :func:`html.escape`;
specs are embedded as JSON with ``<`` escaped, so no string can close a tag.
Embedded views are exposed as ``window.__interp_views[name]`` and
``document.body.dataset.ready`` turns ``"true"`` (or ``"error"``) once all are
drawn, for tests and scripts.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import warnings
from collections.abc import Mapping

import pandas as pd

from interp.render.style import shorten
from interp.vocabulary.measures import BY_NAME

STYLE = """
:root { color-scheme: light; }
body { margin: 0; font: 14px/1.45 Inter, system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
  sans-serif; color: #1d1d1f; background: #fff; }
header { padding: 20px 28px 8px; border-bottom: 1px solid #eee; }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 650; }
h2 { font-size: 17px; margin: 0 0 2px; font-weight: 600; }
.meta { color: #666; margin: 0; font-size: 13px; }
.meta code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: #333;
  background: #f5f5f7; padding: 1px 5px; border-radius: 4px; }
main { padding: 16px 28px 32px; }
.interp-view { margin-top: 8px; }
.interp-error { color: #b00020; white-space: pre-wrap; font-family: monospace; }
.columns { display: grid; grid-template-columns: repeat(var(--columns, 2), max-content);
  column-gap: 40px; row-gap: 28px; align-items: start; overflow-x: auto; }
.columns > section { display: grid; grid-row: span 3; grid-template-rows: subgrid; row-gap: 0; }
.columns > section > h2 { align-self: end; contain: inline-size; }
.columns > section > .meta { contain: inline-size; }
table.metrics { border-collapse: collapse; margin: 8px 0 24px; font-size: 13px; }
table.metrics th, table.metrics td { padding: 4px 12px; border-bottom: 1px solid #eee;
  text-align: right; }
table.metrics th:nth-child(-n+2), table.metrics td:nth-child(-n+2) { text-align: left; }
table.metrics thead th { border-bottom: 1px solid #ccc; font-weight: 600; }
table.metrics th abbr { text-decoration: underline dotted #999; cursor: help; }
table.metrics td.na { color: #aaa; }
dl.definitions { margin: -12px 0 24px; font-size: 12px; color: #555; max-width: 980px;
  display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dl.definitions dt { font-weight: 600; color: #333; }
dl.definitions dd { margin: 0; }
footer { color: #999; font-size: 12px; padding: 0 28px 20px; }
"""

LOADER = """
window.__interp_bundle = (async () => {
  const packed = document.currentScript.previousElementSibling.textContent;
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const script = document.createElement("script");
  script.textContent = await new Response(stream).text();
  document.head.appendChild(script);
})();
"""

SCRIPT = """
// The same atom across embeds (`render.linking`): hovering a row with an atom_id in one
// linked view sets every other linked view's param to it; leaving the row clears it.
function linkAtoms() {
  const linked = Array.from(document.querySelectorAll("script[data-interp-spec][data-link]"))
    .map((node) => ({view: window.__interp_views[node.dataset.name], param: node.dataset.link}));
  linked.forEach((source) => {
    const show = (id) => linked.forEach((other) => {
      if (other !== source) other.view.signal(other.param, id).runAsync();
    });
    const atom = (item) => (item && item.datum && typeof item.datum.atom_id === "string")
      ? item.datum.atom_id : undefined;
    source.view.addEventListener("pointerover", (event, item) => {
      if (atom(item) !== undefined) show(atom(item));
    });
    source.view.addEventListener("pointerout", (event, item) => {
      if (atom(item) !== undefined) show(null);
    });
  });
}
window.__interp_bundle.then(function () {
  const options = {renderer: "svg", tooltip: {theme: "light"},
    actions: {export: true, source: false, compiled: false, editor: false}};
  window.__interp_views = {};
  const pending = Array.from(document.querySelectorAll("script[data-interp-spec]")).map((node) => {
    const target = document.getElementById(node.dataset.target);
    return vegaEmbed(target, JSON.parse(node.textContent), options).then((result) => {
      window.__interp_views[node.dataset.name] = result.view;
    }).catch((error) => {
      target.className += " interp-error";
      target.textContent = "could not draw this view: " + error;
      throw error;
    });
  });
  window.__interp_ready = Promise.all(pending).then(
    () => { linkAtoms(); document.body.dataset.ready = "true"; },
    (error) => { document.body.dataset.ready = "error"; console.error(error); });
}, (error) => { document.body.dataset.ready = "error"; console.error(error); });
"""


BUNDLE_FORMAT = 1  # bump when `javascript()` changes what it does to vl-convert's text


def _vl_version() -> str:
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


@functools.lru_cache(maxsize=1)
def javascript() -> str:
    """Vega, Vega-Lite and vega-embed in one script, for the Vega-Lite version Altair emits."""
    import vl_convert

    bundle = vl_convert.javascript_bundle(vl_version=_vl_version())
    return bundle.replace("</script", "<\\/script").replace("<!--", "<\\!--")


@functools.lru_cache(maxsize=1)
def packed_javascript() -> str:
    """`javascript()` gzipped and base64'd, for `LOADER` to unpack (same bytes every time).

    vl-convert takes a second to bundle it, in every process that renders a page; the
    packed text is kept in the cache folder, by vl-convert's and Vega-Lite's versions
    (an installed asset, not a result: kept with ``--no-cache`` too; a damaged entry is
    rebuilt, an unwritable folder only means it is not kept).
    """
    import vl_convert

    from interp.cache import Cache

    key = ("vega-bundle", BUNDLE_FORMAT, vl_convert.__version__, _vl_version())
    cache = Cache()
    stored = cache.get(key)
    if isinstance(stored, bytes):
        return stored.decode("ascii")
    packed = base64.b64encode(gzip.compress(javascript().encode(), 9, mtime=0)).decode("ascii")
    try:
        cache.put(key, packed.encode("ascii"))
    except OSError:
        pass
    return packed


def spec_json(spec: dict) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# A page past this many bytes takes a browser tens of seconds and gigabytes to open (the
# bundle is 0.9 MB; a page of pictures a few MB): it is written, with a warning saying why.
PAGE_BUDGET = 25 * 2**20


class PageSizeWarning(UserWarning):
    """A page larger than `PAGE_BUDGET`."""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def meta_line(name: str, model: str, input_: str) -> str:
    parts = [f"interface <code>{esc(shorten(name))}</code>"]
    if model:
        parts.append(f"model <code>{esc(shorten(model))}</code>")
    if input_:
        parts.append(f"input <code>{esc(shorten(input_))}</code>")
    return '<p class="meta">' + " · ".join(parts) + "</p>"


def view(view_id: str, name: str, spec: dict, *, link: str = "") -> str:
    """A container and its spec; the shell's script embeds every such pair.

    `link`: the view's param that holds the atom hovered in another view (`render.linking`);
    the script sets it from the ``atom_id`` of the rows hovered in every other linked view."""
    linked = f' data-link="{esc(link)}"' if link else ""
    return (
        f'<div class="interp-view" id="{esc(view_id)}"></div>\n'
        f'<script type="application/json" data-interp-spec data-target="{esc(view_id)}"'
        f' data-name="{esc(name)}"{linked}>{spec_json(spec)}</script>'
    )


IDENTITY = ("element", "interface")


def tidy_metrics(metrics: pd.DataFrame) -> pd.DataFrame:
    """Metrics as rows of (element, interface, metric, value), from the tidy form or a wide one
    (a column per metric, identities as columns or as a named index)."""
    named_index = any(name is not None for name in metrics.index.names)
    table = metrics.reset_index() if named_index else metrics.reset_index(drop=True)
    if {"metric", "value"} <= set(table.columns):
        return table
    ids = [c for c in table.columns if c in IDENTITY]
    return table.melt(id_vars=ids, var_name="metric", value_name="value")


def metric_value(value: object, metric: str = "") -> str:
    """One metric's cell: its value, and what the value says when the pointer rests on it."""
    if value is None or (isinstance(value, float) and value != value):
        return '<td class="na" title="does not apply here">–</td>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        measure = BY_NAME.get(metric)
        reading = measure.reading(float(value)) if measure is not None else ""
        title = f' title="{esc(reading)}"' if reading else ""
        return f"<td{title}>{esc(f'{value:.3g}')}</td>"
    return f"<td>{esc(value)}</td>"


def metrics_table(metrics: pd.DataFrame, definitions: Mapping[str, str] | None = None) -> str:
    """The metrics as an HTML table: one row per (element, interface), one column per metric.

    Generic over which metrics exist: the tidy form `interface, element, metric, value`
    (or a wide one) and `definitions`, metric -> what it measures, shown when the pointer
    rests on its header and listed under the table. No index column; every string escaped.
    """
    definitions = dict(definitions or {})
    rows = tidy_metrics(metrics)
    ids = [c for c in IDENTITY if c in rows.columns]
    names = list(dict.fromkeys(rows["metric"].astype(str)))
    cells: dict[tuple, dict[str, object]] = {}
    for record in rows.to_dict("records"):
        key = tuple(record[c] for c in ids)
        cells.setdefault(key, {})[str(record["metric"])] = record["value"]
    head = [f"<th>{esc(c)}</th>" for c in ids]
    for name in names:
        definition = definitions.get(name)
        head.append(
            f'<th title="{esc(definition)}"><abbr>{esc(name)}</abbr></th>'
            if definition
            else f"<th>{esc(name)}</th>"
        )
    body = []
    for key, values in cells.items():
        tds = [f"<td>{esc(v)}</td>" for v in key]
        tds += [metric_value(values.get(name), name) for name in names]
        body.append("<tr>" + "".join(tds) + "</tr>")
    table = (
        '<table class="metrics">\n<thead><tr>'
        + "".join(head)
        + "</tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody>\n</table>"
    )
    defined = [name for name in names if definitions.get(name)]
    if defined:
        table += '\n<dl class="definitions">' + "".join(
            f"<dt>{esc(name)}</dt><dd>{esc(definitions[name])}</dd>" for name in defined
        )
        table += "</dl>"
    return table


def document(title: str, header: str, body: str) -> str:
    """The page; one that would exceed `PAGE_BUDGET` is still made, with a warning."""
    page = _document(shorten(title), header, body)
    size = len(page.encode())
    if size > PAGE_BUDGET:
        warnings.warn(
            f"the page {shorten(title, 60)!r} is {size / 2**20:,.0f} MB, over its budget of "
            f"{PAGE_BUDGET / 2**20:,.0f} MB: a browser may take long to open it "
            "(fewer atoms, top(k), or smaller pictures make it smaller)",
            PageSizeWarning,
            stacklevel=3,
        )
    return page


def _document(title: str, header: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="interp">
<title>{esc(title)}</title>
<style>{STYLE}</style>
<script type="application/octet-stream">{packed_javascript()}</script>
<script>{LOADER}</script>
</head>
<body>
<header>
{header}
</header>
<main>
{body}
</main>
<footer>Made with interp · hover and click the views to explore</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""
