"""The Vega-Lite JSON of pages: params, filters, initial selections, layout, validity."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
import synthetic_pages as synthetic

from interp.execute.views import ElementView, PageView, Selection
from interp.render import comparison_spec, page_spec
from interp.render.page import initial_selections


def units(spec: dict) -> dict[str, dict]:
    """Every named view or layer of a spec, by name."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if "name" in node and ("mark" in node or "layer" in node):
                found[node["name"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({key: value for key, value in spec.items() if key != "datasets"})
    return found


def filters(unit: dict) -> list[dict]:
    return [t["filter"] for t in unit.get("transform", []) if "filter" in t]


@pytest.fixture(scope="module", params=list(synthetic.PAGES))
def page(request) -> PageView:
    return synthetic.PAGES[request.param]()


@pytest.fixture(scope="module")
def spec(page) -> dict:
    return page_spec(page)


def test_spec_is_valid_vega_lite(page):
    page_spec(page, validate_schema=True)


def test_one_point_selection_per_offered_event(page, spec):
    params = {p["name"]: p for p in spec.get("params", [])}
    linked = params.pop("atoms_hover", None)  # a page's hovered atom (group icon → region)
    if linked is not None:
        assert linked["select"]["fields"] == ["atom"] and len(linked["views"]) == 1
    initial = initial_selections(page)
    expected = {Selection(e.name, ev).param: e for e in page.elements for ev in e.offers}
    assert set(params) == set(expected)
    for name, element in expected.items():
        param = params[name]
        event = name.rsplit("_", 1)[1]
        select = param["select"]
        assert select["type"] == "point"
        assert select["fields"] == [element.key]
        assert select["on"].startswith({"hover": "pointerover", "click": "click"}[event])
        assert select["clear"] is False and select["toggle"] is False
        assert param["value"] == [{element.key: initial[element.name]}]
        assert len(param["views"]) == 1
        assert param["views"][0].startswith(f"{element.name}__")
        assert param["views"][0] in units(spec)


def test_dependent_views_filter_on_the_params(page, spec):
    by_unit = units(spec)
    defined = {p["name"] for p in spec.get("params", [])}
    for element in page.elements:
        layers = [u for name, u in by_unit.items() if name.startswith(f"{element.name}__")]
        for selection in element.depends_on:
            expected = {"param": selection.param, "empty": False}
            filtered = [u for u in layers if expected in filters(u)]
            assert filtered, f"{element.name} never filters on {selection.param}"
            assert selection.param in defined
            for unit in filtered:
                rows = spec["datasets"][unit["data"]["name"]]
                assert all(isinstance(row[selection.key], str) for row in rows)
    referenced = {f["param"] for u in by_unit.values() for f in filters(u) if "param" in f}
    assert referenced <= defined


def test_selectors_highlight_their_selection(page, spec):
    text = json.dumps(spec)
    for element in page.elements:
        for event in element.offers:
            condition = {"param": Selection(element.name, event).param, "empty": False}
            assert json.dumps(condition)[:-1] in text


def test_datasets_are_referenced_and_json_clean(spec):
    names = set(spec["datasets"])
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    for name in names:
        assert json.dumps({"name": name}) in text
    json.dumps(spec, allow_nan=False)


def test_initial_selection_follows_chains():
    page = synthetic.channel_attribution()
    initial = initial_selections(page)
    classes, upper = page.elements[0].table, page.elements[1].table
    assert initial["classes"] == classes["key_classes"].iloc[0]
    first_upper = upper[upper["key_classes"] == initial["classes"]]["key_upper"].iloc[0]
    assert initial["upper"] == first_upper


def test_dependent_json_looks_like_this():
    """The shape the executor's tables become: a filtered layer over a named dataset."""
    spec = page_spec(synthetic.teaser())
    cells = units(spec)["where__cells"]
    assert cells["data"] == {"name": "where__rows"}
    assert cells["transform"][0] == {"filter": {"param": "detectors_hover", "empty": False}}
    row = spec["datasets"]["where__rows"][0]
    assert set(row) == {"atom", "value", "x", "y", "key_detectors"}
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["fill"]["field"] == "value"


def test_numeric_keys_become_strings():
    table = pd.DataFrame({"atom": ["a", "b"], "value": [2.0, 1.0], "key_sel": [3, 4]})
    dependent = pd.DataFrame({"atom": ["x", "y"], "value": [1.0, 2.0], "key_sel": [3.0, 4.0]})
    page = PageView(
        "p",
        "p",
        (
            ElementView("sel", "bars", {}, table, offers=("click",)),
            ElementView("dep", "bars", {}, dependent, depends_on=(Selection("sel", "click"),)),
        ),
    )
    spec = page_spec(page)
    assert spec["params"][0]["value"] == [{"key_sel": "3"}]
    assert {row["key_sel"] for row in spec["datasets"]["dep__rows"]} == {"3", "4"}


def test_layout_tree_is_followed():
    page = synthetic.neuron_groups()
    spec = page_spec(page, titled=False)
    column = spec["concat"]
    assert spec["columns"] == 1
    assert [part.get("name") for part in column[0]["concat"]] == ["icons", "where"]
    assert column[1]["name"] == "classes"


def test_default_layout_packs_rows_in_order():
    spec = page_spec(synthetic.channel_attribution(), titled=False)
    order = [part["name"] for row in spec["concat"] for part in row.get("concat", [row])]
    assert order == ["classes", "upper", "footprint", "lower"]


@pytest.mark.parametrize(
    "change",
    [
        lambda e: [e[0], *e[2:]],
        lambda e: [e[0], dataclasses.replace(e[1], offers=("click",)), *e[2:]],
    ],
    ids=["selector missing", "event not offered"],
)
def test_selecting_on_what_no_element_offers_is_an_error(change):
    page = synthetic.channel_attribution()
    broken = PageView(page.name, page.title, tuple(change(list(page.elements))))
    with pytest.raises(ValueError, match="upper_hover, which no element of the page offers"):
        page_spec(broken)


def test_missing_key_column_is_reported():
    page = synthetic.teaser()
    where = page.elements[1]
    broken = dataclasses.replace(where, table=where.table.drop(columns=["key_detectors"]))
    with pytest.raises(ValueError, match="key_detectors"):
        page_spec(PageView(page.name, page.title, (page.elements[0], broken)))


def test_unknown_layout_name_is_reported():
    page = synthetic.teaser()
    broken = PageView(page.name, page.title, page.elements, layout=("row", ["detectors", "nope"]))
    with pytest.raises(ValueError, match="nope"):
        page_spec(broken)


def test_comparison_prefixes_params_and_names_per_page():
    spec = comparison_spec(synthetic.comparison(), validate_schema=True)
    names = [p["name"] for p in spec["params"]]
    assert names == ["teaser__detectors_hover", "randomized__detectors_hover"]
    assert len(set(spec["datasets"])) == len(spec["datasets"])
    by_unit = units(spec)
    assert {"param": "randomized__detectors_hover", "empty": False} in filters(
        by_unit["randomized__where__cells"]
    )
    assert all(name.startswith(("teaser__", "randomized__")) for name in by_unit)
