"""Pages explain themselves: on the real model, each view says what it shows, how to read
it and what touching it does; hovering changes its words, never its colour scale; the
compare page draws both models' saliency on one scale and defines its metrics."""

from __future__ import annotations

import re

import pytest
from gallery import spec_path

from interp.options import Options
from interp.pipeline import run
from interp.render import write_outputs

pytestmark = pytest.mark.browser

TINY = Options(
    quality="draft", cache=None, progress=False, icon_size=32, icon_steps=2, device="cpu"
)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("explained")
    pages = {}
    teaser = run(spec_path("teaser"), TINY)
    pages["teaser"] = folder / "teaser.html"
    write_outputs(teaser.pages[0], pages["teaser"])
    sanity = run(spec_path("sanity_check"), TINY)
    pages["sanity_check"] = folder / "sanity_check.html"
    write_outputs(sanity.comparison(), pages["sanity_check"])
    return pages


def test_views_name_quantity_method_layer_and_interaction(open_page, written):
    opened = open_page(written["teaser"])
    assert opened.texts("teaser", "detectors", "title-text") == ["detectors"]
    detectors = opened.subtitle("teaser", "detectors")
    assert (
        'Attribution (activation × gradient) of blocks.4.2.bn1 channels to "Egyptian cat"'
        ' and "tabby", top 6 per class' in detectors
    )
    assert "bar: attribution to the logit" in detectors
    assert "hover a channel to update where" in detectors
    where = opened.subtitle("teaser", "where")
    assert "Activations of the hovered channel of blocks.4.2.bn1 at each position" in where
    title = opened.texts("teaser", "where", "legend-title")
    assert title[0] == "activation"  # and, where strong cells saturate, a line saying so
    assert all("full colour beyond" in line for line in title[1:])
    everything = " ".join(t for t in opened.page.evaluate("document.body.innerText").split())
    assert "key_" not in everything
    assert opened.console_errors == []


def test_hovering_changes_the_live_subtitle_not_the_colour_scale(open_page, written):
    opened = open_page(written["teaser"])
    frames = opened.items("teaser", "detectors__frame")
    first = frames[0]["datum"]["atom"].removeprefix("ch ")
    live = opened.texts("teaser", "where", "mark")
    assert f"hovering channel {first} in detectors" in live
    domain = opened.domain("teaser", "where_fill")
    legend = opened.texts("teaser", "where", "legend-label")

    other = next(f for f in frames if f["datum"]["atom"] != frames[0]["datum"]["atom"])
    opened.hover(other["box"])
    channel = other["datum"]["atom"].removeprefix("ch ")
    live = opened.texts("teaser", "where", "mark")
    assert f"hovering channel {channel} in detectors" in live
    assert f"hovering channel {first} in detectors" not in live
    shown = {row["key_detectors"] for row in opened.rows("teaser", "where__cells")}
    assert shown == {other["datum"]["key_detectors"]}
    assert opened.domain("teaser", "where_fill") == domain
    assert opened.texts("teaser", "where", "legend-label") == legend


def test_compared_saliency_maps_share_one_colour_domain(open_page, written):
    opened = open_page(written["sanity_check"], width=1800)
    trained = opened.domain("trained", "trained__saliency_fill")
    randomized = opened.domain("randomized", "randomized__saliency_fill")
    assert trained == randomized
    assert trained[0] == pytest.approx(-trained[-1])  # signed: symmetric about zero
    # ... and the feature-visualization bars one length scale: the randomized model's
    # detectors are not drawn as long as the trained model's unless they are as strong
    bars = {
        name: opened.rows(name, f"{name}__detectors__bars") for name in ("trained", "randomized")
    }
    lengths = {
        name: {row["atom"]: row["_bx2"] - row["_bx"] for row in rows} for name, rows in bars.items()
    }
    values = {name: {row["atom"]: row["value"] for row in rows} for name, rows in bars.items()}
    ratios = [
        lengths[name][atom] / abs(values[name][atom])
        for name in bars
        for atom in values[name]
        if abs(values[name][atom]) > 1e-3 * max(abs(v) for v in values[name].values())
    ]
    assert max(ratios) == pytest.approx(min(ratios), rel=0.02)
    assert opened.console_errors == []


def test_compare_metrics_have_no_index_and_define_each_metric(open_page, written):
    opened = open_page(written["sanity_check"], width=1800)
    headers = opened.page.locator("table.metrics thead th")
    names = [h.strip() for h in headers.all_inner_texts()]
    assert names[:2] == ["element", "interface"]
    assert "" not in names  # no unnamed pandas index column
    for header in headers.all()[2:]:
        assert len(header.get_attribute("title") or "") > 20
    first_cells = opened.page.locator("table.metrics tbody tr td:first-child").all_inner_texts()
    assert set(first_cells) == {"saliency", "detectors"}
    assert not any(re.fullmatch(r"\d+", cell) for cell in first_cells)
    terms = opened.page.locator("dl.definitions dt").all_inner_texts()
    assert terms == names[2:]
