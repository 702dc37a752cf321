"""A heatmap's colour legend names the ends of its scale, and the page never cuts them.

A legend under a view at the page's left edge used to centre its first label on a tick
near the gradient's start, so the label's minus sign fell outside the drawing
("0.002 ... 0.002" for ±0.0021). The labels now sit at the domain's ends, which Vega
aligns inward, written as the title writes the saturation point.
"""

from __future__ import annotations

import pytest
from tiny import tiny_model

import interp
from interp.render import style, write_outputs

pytestmark = pytest.mark.browser

SPEC = """
interface h "Tiny heatmap" {{
  model tiny
  input sample("chelsea")
  let first = layer("0")
  element support = attribution(first.spatial -> output["{target}"]) as heatmap(over=input)
}}
"""

LABELS = """() => {
  const svg = document.querySelector(".interp-view svg").getBoundingClientRect();
  const labels = Array.from(document.querySelectorAll("g.role-legend-label text"));
  return {svg: [svg.left, svg.right], labels: labels.map((t) => {
    const box = t.getBoundingClientRect();
    return {text: t.textContent, left: box.left, right: box.right};
  })};
}"""


@pytest.fixture(scope="module", params=["dog", "fox"])  # a signed map, an unsigned one
def page(request, tmp_path_factory):
    spec = SPEC.format(target=request.param)
    result = interp.run(spec, models={"tiny": tiny_model()}, progress=False, device="cpu")
    path = tmp_path_factory.mktemp("legend") / "heatmap.html"
    write_outputs(result.pages[0], path)
    view = next(e for e in result.pages[0].elements if e.name == "support")
    return path, style.value_domain(view, robust=True)  # the colour scale's domain


def test_the_legend_names_the_ends_of_its_scale_inside_the_page(open_page, page):
    path, (low, high) = page
    opened = open_page(path)
    found = opened.page.evaluate(LABELS)
    left, right = found["svg"]
    for label in found["labels"]:
        assert left <= label["left"] and label["right"] <= right, (label, found["svg"])
    values = [float(label["text"].replace("−", "-")) for label in found["labels"]]
    if low < 0:
        assert low == -high and values[1] == 0 and found["labels"][0]["text"].startswith("−")
    assert len(values) == 3 and values[0] == pytest.approx(low, rel=0.05, abs=1e-12)
    assert values[2] == pytest.approx(high, rel=0.05)
    assert opened.console_errors == []
