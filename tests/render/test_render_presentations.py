"""Each presentation's layout: what the executor's tables turn into, row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import synthetic_pages as synthetic

from interp.execute.views import ElementView, PageView, Selection
from interp.render import frames, page_spec, pictures


def single(view: ElementView) -> dict:
    return page_spec(PageView("p", "p", (view,)))


def test_bars_sorted_by_value_within_each_selection():
    spec = page_spec(synthetic.spatial_attribution())
    rows = pd.DataFrame(spec["datasets"]["classes__rows"])
    for _, subset in rows.groupby("key_saliency"):
        ordered = subset.sort_values("_order")
        assert list(ordered["_order"]) == list(range(len(subset)))
        assert ordered["value"].is_monotonic_decreasing


def test_bars_with_series_get_unique_labels_and_series_colours():
    spec = page_spec(synthetic.neuron_groups())
    rows = pd.DataFrame(spec["datasets"]["classes__rows"])
    assert rows["_label"].is_unique
    assert rows["_label"].iloc[0].startswith("group 0 · ")
    assert list(dict.fromkeys(rows.sort_values("_order")["series"])) == [
        f"group {i}" for i in range(6)
    ]


def test_feature_vis_lays_out_each_selection_from_the_left():
    spec = page_spec(synthetic.semantic_dictionary())
    rows = pd.DataFrame(spec["datasets"]["dictionary__rows"])
    lefts = sorted(rows["_x"].unique())
    assert len(lefts) == 8  # the same 8 slots for every hovered position
    for _, subset in rows.groupby("key_picker"):
        ordered = subset.sort_values("_x")
        assert ordered["value"].is_monotonic_decreasing
        longest = ordered["_bx2"] - ordered["_bx"]
        assert longest.max() == pytest.approx(64, abs=0.01)
        ratio = (longest / ordered["value"]).to_numpy()
        assert np.allclose(ratio, ratio[0], rtol=1e-3)


def test_feature_vis_stores_each_icon_once():
    page = synthetic.semantic_dictionary()
    spec = page_spec(page)
    icons = spec["datasets"]["dictionary__icon_urls"]
    assert len(icons) == page.elements[1].table["icon"].nunique()
    assert all("icon" not in row for row in spec["datasets"]["dictionary__rows"])


def test_feature_vis_series_are_rows():
    spec = page_spec(synthetic.teaser())
    rows = pd.DataFrame(spec["datasets"]["detectors__rows"])
    tops = rows.groupby("series", sort=False)["_y"].unique()
    assert [list(t) for t in tops] == [[4.0], [4.0 + 64 + 16 + 16 + 14]]


def test_raw_group_coordinates_do_not_split_icons_into_rows():
    spec = page_spec(synthetic.neuron_groups())
    rows = pd.DataFrame(spec["datasets"]["icons__rows"])
    assert rows["_y"].nunique() == 1 and "group" not in rows


def test_atom_colours_agree_across_views():
    spec = page_spec(synthetic.neuron_groups())
    text = {k: v for k, v in spec.items() if k != "datasets"}
    scales = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "nominal" and "range" in (node.get("scale") or {}):
                scales.append(
                    dict(zip(node["scale"]["domain"], node["scale"]["range"], strict=True))
                )
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(text)
    assert len(scales) == 2 and scales[0] == scales[1]
    assert list(scales[0]) == [f"group {i}" for i in range(6)]
    # the group icons are framed in their group's colour
    icons = pd.DataFrame(spec["datasets"]["icons__rows"])
    assert dict(zip(icons["atom"], icons["_frame"], strict=True)) == scales[0]


def test_heatmap_by_atom_keeps_the_strongest_atom_per_cell():
    spec = page_spec(synthetic.neuron_groups())
    rows = pd.DataFrame(spec["datasets"]["where__rows"])
    assert len(rows) == 14 * 14
    assert not rows.duplicated(["x", "y"]).any()
    cell = rows.iloc[0]
    assert cell["_all"].count("group ") == 6
    assert 0.1 <= rows["_alpha"].min() and rows["_alpha"].max() == pytest.approx(0.85)


def test_heatmap_cells_are_computed_in_the_browser_over_the_image():
    spec = page_spec(synthetic.teaser())
    text = str({k: v for k, v in spec.items() if k != "datasets"})
    assert "datum.x * 17.142857142857142" in text  # 240 px / 14 cells
    # one colour domain and one opacity peak for every hovered detector: a typical hover's
    # (the median over hovers of each one's 99th percentile), so no hover is left blank
    where = synthetic.teaser().elements[1].table
    per_hover = where.groupby("key_detectors")["value"].apply(lambda v: v.abs().quantile(0.99))
    peak = float(per_hover.median())
    assert peak < float(where["value"].max())
    assert f"'domain': [0.0, {peak!r}]" in text
    assert f"sqrt(min(1, abs(datum.value) / {peak!r}))" in text
    assert "full colour beyond" in text  # the legend says that stronger cells saturate
    image = spec["datasets"]["where__image"][0]["url"]
    assert image.startswith("data:image/png;base64,")


def test_grid_icon_area_follows_magnitude():
    spec = page_spec(synthetic.spatial_attribution())
    rows = pd.DataFrame(spec["datasets"]["saliency__rows"])
    side = rows["_ix2"] - rows["_ix"]
    expected = 0.94 * 30 * np.sqrt(rows["magnitude"] / rows["magnitude"].max())
    assert np.allclose(side, expected, atol=1e-3)
    assert rows["color"].str.match(r"^#[0-9a-f]{6}$").all()


def test_image_without_rows_makes_one_atom_per_cell():
    view = ElementView(
        "picker",
        "image",
        {},
        pd.DataFrame(),
        offers=("hover",),
        meta={"grid": (3, 4), "image": synthetic.input_image()},
    )
    dependent = ElementView(
        "shown",
        "bars",
        {},
        pd.DataFrame({"atom": ["a"], "value": [1.0], "key_picker": ["0,0"]}),
        depends_on=(Selection("picker", "hover"),),
    )
    spec = page_spec(PageView("p", "p", (view, dependent)))
    rows = spec["datasets"]["picker__rows"]
    assert len(rows) == 12
    assert rows[5]["key_picker"] == "1,1" and rows[5]["atom"] == "(x 1, y 1)"
    assert spec["params"][0]["value"] == [{"key_picker": "0,0"}]


def test_sankey_bands_are_stacked_and_proportional():
    page = synthetic.group_flow()
    spec = page_spec(page)
    points = pd.DataFrame(spec["datasets"]["flow__links"])
    start = points.groupby("_link").first()
    thickness = start["_ly2"] - start["_ly"]
    visible = thickness > 0.75 + 1e-6  # thinner flows are drawn as hairlines
    ratio = (thickness / start["value"].abs())[visible]
    assert visible.sum() > 20 and np.allclose(ratio, ratio.iloc[0], rtol=1e-3)
    for _, links in start.groupby("source"):
        links = links.sort_values("_ly")
        # bands leaving a node sit side by side: each starts where the previous one ends
        widths = links["value"].abs().to_numpy() * ratio.iloc[0]
        assert np.allclose(np.diff(links["_ly"].to_numpy()), widths[:-1], atol=0.01)
    nodes = spec["datasets"]["flow__nodes"]
    assert len(nodes) == 10
    assert len(spec["datasets"]["flow__icon_urls"]) == 10


def test_records_are_json_safe():
    table = pd.DataFrame(
        {
            "value": [1.23456789, np.nan, np.inf, -0.000123456789],
            "n": np.arange(4, dtype=np.int64),
            "label": ["a", None, "c", "d"],
        }
    )
    rows = frames.records(table)
    assert rows[0] == {"value": 1.23457, "n": 0, "label": "a"}
    assert rows[1]["value"] is None and rows[1]["label"] is None
    assert rows[2]["value"] is None
    assert rows[3]["value"] == -0.000123457
    assert type(rows[0]["n"]) is int


def test_icons_may_be_arrays_or_bytes():
    array = np.zeros((8, 8, 3), dtype=np.float32)
    url = pictures.to_data_url(array)
    assert url.startswith("data:image/png;base64,")
    assert pictures.image_size(url) == (8, 8)
    assert pictures.to_data_url(url) == url


def test_feature_vis_accepts_array_icons_and_missing_ones():
    table = pd.DataFrame(
        {
            "atom": ["ch 1", "ch 2", "ch 3"],
            "value": [3.0, 2.0, 1.0],
            "icon": [np.ones((4, 4, 3)), synthetic.icon(1), None],
        }
    )
    spec = single(ElementView("icons", "feature_vis", {"bars": True}, table))
    assert len(spec["datasets"]["icons__icon_urls"]) == 2
    assert [row["_icon"] for row in spec["datasets"]["icons__rows"]] == [0, 1, -1]


def many_atoms(presentation: str, count: int, **options) -> ElementView:
    """A `presentation` of `count` channels (no top(k)): each with its own icon."""
    table = pd.DataFrame(
        {
            "channel": range(count),
            "atom": [f"ch {c}" for c in range(count)],
            "value": np.linspace(1.0, 0.01, count),
            "icon": [synthetic.icon(c % 7, 8) for c in range(count)],
        }
    )
    return ElementView("many", presentation, options, table)


def test_feature_vis_with_hundreds_of_atoms_draws_a_row_and_counts_the_rest():
    from interp.render.feature_vis import MAX_CELLS

    spec = single(many_atoms("feature_vis", 300, bars=True))
    rows = pd.DataFrame(spec["datasets"]["many__rows"])
    assert len(rows) == MAX_CELLS and rows["value"].is_monotonic_decreasing
    (note,) = spec["datasets"]["many__more"]
    assert note["_note"] == f"… {300 - MAX_CELLS} more"
    assert note["_nx"] > rows["_x2"].max()
    assert named(spec, "many")["width"] < (MAX_CELLS + 2) * 80  # not 300 icons wide


def named(node, name: str) -> dict:
    """The (first) chart called `name` anywhere in a spec."""
    if isinstance(node, dict):
        if node.get("name") == name:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = named(child, name)
            if found:
                return found
    return {}


def test_bars_with_hundreds_of_atoms_end_in_a_note_that_selects_nothing():
    from interp.render.bars import MAX_BARS, ROW

    view = many_atoms("bars", 1000)
    view.table["key_many"] = view.table["channel"].astype(str)
    view = ElementView("many", "bars", {}, view.table, offers=("hover",))
    spec = single(view)
    rows = pd.DataFrame(spec["datasets"]["many__rows"])
    assert len(rows) == MAX_BARS + 1
    note = rows.sort_values("_order").iloc[-1]
    assert note["_label"] == f"… {1000 - MAX_BARS} more" and pd.isna(note["value"])
    assert pd.isna(note["key_many"])  # hovering the note selects no atom
    assert json_size(spec) < 60_000 and ROW * (MAX_BARS + 1) < 1000


def json_size(spec: dict) -> int:
    import json

    return len(json.dumps(spec))
