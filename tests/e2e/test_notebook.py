"""Two results in one notebook: executed by a real kernel, exported by nbconvert, opened offline.

Each `Result` displays as its page inside an ``<iframe srcdoc>``: both draw,
hovering in one drives only that page's dependent view, nothing fails in the
console, and the notebook's own styles are what they would be without them.
Both specs name their elements alike (`detectors`, `where`), which would
collide if the pages shared one document.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MARK_ITEMS, detector_keys, hover_detector, ready_frame

pytestmark = pytest.mark.browser

FIRST = """interface first {
  model efficientnet_lite0
  input sample("chelsea")
  let mid = layer("blocks.4.2.bn1")
  element detectors = activations(mid.channels) | top(3) as feature_vis
  element where = activations(mid.spatial) | select(detectors.hover) as heatmap(over=input)
}"""

SECOND = """interface second "Espresso" {
  model efficientnet_lite0
  input sample("coffee")
  let mid = layer("blocks.5.0.bn1")
  element detectors = attribution(mid.channels -> output["espresso"]) | top(4)
                    as feature_vis(bars=true)
  element where = activations(mid.spatial) | select(detectors.hover) as heatmap(over=input)
}"""

# a bar left to its default in a kernel without ipywidgets: plain lines, not tqdm's red
# "IProgress not found" block
PROGRESS = """from interp.execute.progress import progress_bar
with progress_bar(None, total=3, desc="steps") as bar:
    bar.update(3)"""
TINY = "quality='draft', icon_size=32, icon_steps=2, progress=False, device='cpu'"
HEADING = "A notebook with two interfaces"


def notebook(with_results: bool):
    import nbformat

    cells = [nbformat.v4.new_markdown_cell(f"# {HEADING}\n\nSome *prose* between results.")]
    if with_results:
        cells += [
            nbformat.v4.new_code_cell("import interp"),
            nbformat.v4.new_code_cell(f"first = interp.run({FIRST!r}, {TINY})\nfirst"),
            nbformat.v4.new_code_cell(f"second = interp.run({SECOND!r}, {TINY})\nsecond"),
            nbformat.v4.new_code_cell("print(second)"),
            nbformat.v4.new_code_cell('first.chart("where")'),
            nbformat.v4.new_code_cell(PROGRESS),
        ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return notebook


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """The notebook executed by a kernel and exported as HTML; and one without results."""
    pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    kernelspec = pytest.importorskip("jupyter_client.kernelspec")
    if "python3" not in kernelspec.KernelSpecManager().find_kernel_specs():
        pytest.skip("needs a python3 Jupyter kernel (pip install ipykernel)")
    folder = tmp_path_factory.mktemp("notebook")
    executed = notebook(with_results=True)
    nbclient.NotebookClient(executed, timeout=600, kernel_name="python3").execute()
    paths = {}
    for name, node in (("results", executed), ("plain", notebook(with_results=False))):
        body, _ = nbconvert.HTMLExporter().from_notebook_node(node)
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(body, encoding="utf-8")
    paths["printed"] = folder / "printed.txt"
    paths["printed"].write_text(executed.cells[-3].outputs[0]["text"], encoding="utf-8")
    paths["progress"] = folder / "progress.txt"
    streams = [o.get("text", "") for o in executed.cells[-1].outputs]
    paths["progress"].write_text("".join(streams), encoding="utf-8")
    return paths


def test_the_text_repr_lists_interfaces_elements_and_shapes(exported):
    printed = exported["printed"].read_text()
    assert printed.startswith("interp.Result: 1 interface")
    assert 'second "Espresso" (efficientnet_lite0, sample: coffee)' in printed
    assert "detectors  feature_vis  (channel: " in printed
    assert "by detectors.hover" in printed


def test_progress_in_a_notebook_without_ipywidgets_is_plain_lines(exported):
    printed = exported["progress"].read_text()
    assert "steps: 100%" in printed and "3/3" in printed
    assert "IProgress" not in printed


def test_two_results_draw_isolated_and_hover_in_each(exported, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external, errors = [], []

    def route(request_route) -> None:
        request = request_route.request
        if request.url.startswith(("file:", "data:", "about:", "blob:")):
            request_route.continue_()
        else:
            external.append((request.url, request.frame == page.main_frame))
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append((m.text, m.location)) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append((str(error), {})))
    page.goto(exported["results"].resolve().as_uri())

    frames = page.locator('iframe.interp-frame:not([title="chart"])')
    assert frames.count() == 2
    for index, name in enumerate(("first", "second")):
        element = frames.nth(index)
        frame = ready_frame(element, name)
        # the frame is sized to its page: nothing hidden below, no scrolling inside
        assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1"), (
            name
        )
        keys = detector_keys(frame, name)
        assert len(set(keys)) >= 2
        assert {row["key_detectors"] for row in _rows(frame, name, "where__cells")} == {keys[0]}
        assert hover_detector(page, element, frame, name, 1) == keys[1]
        assert {row["key_detectors"] for row in _rows(frame, name, "where__cells")} == {keys[1]}

    # the chart of one element draws offline too, in its own frame (Vega inlined)
    chart = page.locator('iframe.interp-frame[title="chart"]')
    assert chart.count() == 1
    inside = chart.element_handle().content_frame()
    inside.wait_for_function("document.querySelector('.vega-embed svg, .vega-embed canvas')")
    assert "Error loading script" not in inside.evaluate("document.body.innerText")

    # nothing of the pages leaked into the notebook's document
    assert page.evaluate("typeof window.vegaEmbed") == "undefined"
    assert page.evaluate("window.__interp_views === undefined")
    assert page.locator(".interp-view").count() == 0
    # every request the pages made stayed offline; the notebook's own template asks for
    # its CDN scripts (require.js, MathJax), which are blocked and are not ours
    assert [url for url, main in external if not main] == []
    nbconvert_urls = {url for url, main in external if main}
    ours = [(text, where) for text, where in errors if where.get("url") not in nbconvert_urls]
    assert ours == []
    styles = _notebook_styles(page)
    page.close()

    plain = browser.new_page(viewport={"width": 1400, "height": 1000})
    plain.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    plain.goto(exported["plain"].resolve().as_uri())
    assert _notebook_styles(plain) == styles
    plain.close()


def _rows(frame, view: str, mark: str) -> list[dict]:
    return [item["datum"] for item in frame.evaluate(MARK_ITEMS, [view, f"{mark}_marks"])]


def _notebook_styles(page) -> dict:
    """Computed styles of the notebook's own body, heading and prose."""
    return page.evaluate(
        """(heading) => {
          const h1 = Array.from(document.querySelectorAll("h1"))
            .find((h) => h.textContent.includes(heading));
          const em = document.querySelector(".jp-RenderedMarkdown em, .rendered_html em");
          const pick = (node) => {
            const s = getComputedStyle(node);
            return [s.fontFamily, s.fontSize, s.fontWeight, s.color, s.margin, s.lineHeight];
          };
          return {body: pick(document.body), h1: pick(h1), em: pick(em)};
        }""",
        HEADING,
    )
