"""`interp space`: each contract spec's elements in their cells, arrows for selections.

The design space is built from the statically checked program (no model is
loaded), so these tests need no torch work. The expected cells restate
DESIGN.md: an element sits in the row of the atoms it shows, under its
content and presentation.
"""

from __future__ import annotations

import itertools
import json
from functools import cache

import pytest
from gallery import CONTRACT, spec_path

from interp.check import check
from interp.check.program import Program
from interp.cli import main
from interp.compare.space import ALTERNATIVES, Column, design_space, example_interface
from interp.render.space import render_space, space_spec
from interp.render.space_layout import BOX_H, BOX_W, SpaceLayout, cubic, route
from interp.syntax import parse

ACT, ATTR = "activations", "attribution"

# interface -> element -> (row, content, presentation)
CELLS = {
    "activation_grid": {
        "activation_grid": {
            "early": ("spatial", ACT, "grid"),
            "mid": ("spatial", ACT, "grid"),
            "late": ("spatial", ACT, "grid"),
        }
    },
    "channel_attribution": {
        "channel_attribution": {
            "classes": ("output", ACT, "bars"),
            "upper": ("channels", ATTR, "feature_vis"),
            "footprint": ("spatial", ACT, "heatmap"),
            "lower": ("channels", ATTR, "feature_vis"),
        }
    },
    "group_flow": {"group_flow": {"flow": ("groups", ATTR, "sankey")}},
    "neuron_groups": {
        "neuron_groups": {
            "icons": ("groups", ACT, "feature_vis"),
            "where": ("groups", ACT, "heatmap"),
            "classes": ("groups", ATTR, "bars"),
        }
    },
    "sanity_check": {
        name: {
            "saliency": ("input", ATTR, "heatmap"),
            "detectors": ("channels", ATTR, "feature_vis"),
        }
        for name in ("trained", "randomized")
    },
    "semantic_dictionary": {
        "semantic_dictionary": {
            "picker": ("input", "substrate", "image"),
            "dictionary": ("channels", ACT, "feature_vis"),
        }
    },
    "spatial_attribution": {
        "spatial_attribution": {
            "saliency": ("spatial", ATTR, "grid"),
            "classes": ("output", ATTR, "bars"),  # classes are what it shows
            "feeders": ("spatial", ATTR, "heatmap"),
        }
    },
    "teaser": {
        "teaser": {
            "detectors": ("channels", ATTR, "feature_vis"),
            "where": ("spatial", ACT, "heatmap"),
        }
    },
}

CELLS |= {
    "dataset_examples": {
        "dataset_examples": {
            "detectors": ("channels", ATTR, "feature_vis"),
            "fires": ("examples", ACT, "examples"),
            "supports": ("examples", ATTR, "examples"),
        }
    },
    "activation_atlas": {
        "activation_atlas": {
            "atlas": ("spatial", ACT, "atlas"),
            "members": ("examples", ACT, "examples"),
            "here": ("spatial", ACT, "heatmap"),
        }
    },
    "model_alignment": {
        name: {
            "detectors": ("channels", ATTR, "feature_vis"),
            "twins": ("channels", "correlation", "feature_vis"),
            "saliency": ("spatial", ATTR, "heatmap"),
        }
        for name in ("lite0", "lite1")
    },
}

ARROWS = {
    "dataset_examples": {("detectors", "fires", "hover"), ("detectors", "supports", "hover")},
    "activation_atlas": {("atlas", "members", "hover"), ("atlas", "here", "hover")},
    "model_alignment": {("detectors", "twins", "hover")},
    "activation_grid": set(),
    "channel_attribution": {
        ("classes", "upper", "click"),
        ("upper", "footprint", "hover"),
        ("upper", "lower", "click"),
    },
    "group_flow": set(),
    "neuron_groups": set(),
    "sanity_check": set(),
    "semantic_dictionary": {("picker", "dictionary", "hover")},
    "spatial_attribution": {("saliency", "classes", "hover"), ("saliency", "feeders", "hover")},
    "teaser": {("detectors", "where", "hover")},
}


@cache
def program(name: str) -> Program:
    path = spec_path(name)
    text = path.read_text(encoding="utf-8")
    return check(parse(text, str(path)), source=text, bind_models=False)


def space_of(*names: str):
    return design_space({f"{name}.interp": program(name) for name in names})


def test_the_expectations_cover_the_contract():
    assert set(CELLS) == set(ARROWS) == set(CONTRACT)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_each_element_sits_in_its_cell(name):
    space = space_of(name)
    found = {}
    for p in space.placements:
        found.setdefault(p.interface, {})[p.element] = (
            p.row,
            p.column.content,
            p.column.presentation,
        )
    assert found == CELLS[name]
    rows, columns = {r.key for r in space.rows}, set(space.columns)
    assert all(p.row in rows and p.column in columns for p in space.placements)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_arrows_are_the_selections(name):
    space = space_of(name)
    selections = {
        (i.name, s.element, e.name, s.event, s.bindings)
        for i in program(name).interfaces
        for e in i.elements
        for s in e.selections
    }
    arrows = {(a.interface, a.source, a.target, a.event, a.bindings) for a in space.arrows}
    assert arrows == selections
    assert {(a.source, a.target, a.event) for a in space.arrows} == ARROWS[name]


def test_rows_and_columns_follow_the_article():
    space = space_of("teaser")
    assert [r.key for r in space.rows] == [
        "input",
        "neurons",
        "spatial",
        "channels",
        "groups",
        "output",
        "examples",  # the article's closing section: datasets as a substrate
    ]
    assert [c.content for c in space.columns] == [
        "substrate",
        *[ACT] * 6,
        *[ATTR] * 6,
        *["correlation"] * 2,
        "weights",  # the parameters as a substrate: a kernel per channel pair
    ]
    assert space.columns[1:7] == tuple(
        Column(ACT, p) for p in ("feature_vis", "grid", "heatmap", "bars", "examples", "atlas")
    )


def test_every_alternative_checks_and_has_its_own_cell():
    text = example_interface(ALTERNATIVES)
    checked = check(parse(text, "<alternatives>"), source=text, bind_models=False)
    assert len(checked.interfaces[0].elements) == len(ALTERNATIVES)
    cells = [(a.row, a.column) for a in space_of("teaser").alternatives]
    assert len(cells) == len(set(cells)) == len(ALTERNATIVES)


def test_every_contract_design_is_inside_the_space_of_alternatives():
    alternatives = {(a.row, a.column) for a in space_of("teaser").alternatives}
    used = {(p.row, p.column) for p in space_of(*CONTRACT).placements}
    assert used <= alternatives


def test_boxes_carry_their_spec_text_on_one_line():
    space = space_of("channel_attribution")
    upper = space.placement("upper")
    assert upper.text == (
        "attribution(b.channels -> output) | select(classes.click) | top(8) "
        "as feature_vis(bars=true)"
    )
    assert upper.detail == "blocks.4.2.bn1 → output"
    assert space.placement("lower").detail == "blocks.3.2.bn1 → blocks.4.2.bn1.channels"
    assert space.placement("footprint").substrate == 'layer("blocks.4.2.bn1").spatial'


def test_several_interfaces_are_all_drawn_and_named():
    space = space_of("sanity_check")
    assert [i.name for i in space.interfaces] == ["trained", "randomized"]
    assert space.interfaces[1].model == "efficientnet_lite0(weights=random, seed=0)"
    assert space.comparisons == (("trained", "randomized"),)
    colors = SpaceLayout(space).colors
    assert colors["trained"] != colors["randomized"]


def test_several_files_share_one_grid_and_name_clashes_get_the_file():
    space = design_space(
        {"a/first.interp": program("teaser"), "b/second.interp": program("teaser")}
    )
    assert [i.name for i in space.interfaces] == ["first.teaser", "second.teaser"]
    assert [i.file for i in space.interfaces] == ["a/first.interp", "b/second.interp"]
    several = space_of("teaser", "channel_attribution")
    assert [i.name for i in several.interfaces] == ["teaser", "channel_attribution"]
    assert {p.interface for p in several.placements} == {"teaser", "channel_attribution"}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_layout_boxes_never_overlap_and_arrows_go_round_them(name):
    layout = SpaceLayout(space_of(name))
    boxes = {key: layout._box(*key) for key in layout.box_at}
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        apart = (
            box_a[2] <= box_b[0]
            or box_b[2] <= box_a[0]
            or box_a[3] <= box_b[1]
            or box_b[3] <= box_a[1]
        )
        assert apart, (a, b)
    for arrow in layout.space.arrows:
        source, target = (arrow.interface, arrow.source), (arrow.interface, arrow.target)
        others = [b for key, b in boxes.items() if key not in (source, target)]
        curve = route(boxes[source], boxes[target], others, [])
        points = [cubic(curve, t / 64) for t in range(65)]
        for x1, y1, x2, y2 in others:
            assert not any(x1 < x < x2 and y1 < y < y2 for x, y in points), arrow
        assert sum(abs(q[0] - p[0]) + abs(q[1] - p[1]) for p, q in itertools.pairwise(points)) > 50


def test_the_spec_is_plain_json_with_a_layer_per_part():
    space = space_of("channel_attribution")
    spec = space_spec(space)
    json.dumps(spec, allow_nan=False)
    layers = {layer["name"]: layer for layer in spec["layer"]}
    boxes = layers["elements"]["data"]["values"]
    assert [b["element"] for b in boxes] == ["classes", "upper", "footprint", "lower"]
    assert all(b["x2"] - b["x"] == BOX_W and b["y2"] - b["y"] == BOX_H for b in boxes)
    assert {row["id"] for row in layers["arrows"]["data"]["values"]} == {0, 1, 2}
    assert sorted(row["text"] for row in layers["arrow_labels"]["data"]["values"]) == [
        "click",
        "click",
        "hover",
    ]
    headers = {row["text"] for row in layers["headers"]["data"]["values"]}
    assert {"activations", "attribution", "feature_vis", "sankey", "image"} <= headers
    assert spec["title"]["text"] == "Design space of channel_attribution.interp"
    assert "title" not in space_spec(space, titled=False)


def test_the_page_is_offline_and_escapes_user_text():
    page = render_space(space_of("sanity_check"))
    assert "<script src=" not in page and "http://" not in page.split("<script>")[0]
    assert "Design space of sanity_check.interp" in page
    assert "Random weights" in page


def test_cli_writes_the_page_and_a_png(tmp_path, capsys):
    out = tmp_path / "space.html"
    assert main(["space", str(spec_path("teaser")), "-o", str(out), "--png"]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "space.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote" in capsys.readouterr().out


def test_cli_missing_file_is_an_error_not_a_traceback(tmp_path, capsys):
    out = tmp_path / "space.html"
    assert main(["space", str(tmp_path / "nope.interp"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "error: no such file" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("interface x {\n  element e = activations(( as bars\n}\n", ":2:27:", "expected"),
        (
            'interface x {\n  element e = activations(layer("a").chanels) as bars\n}\n',
            ":2:38:",
            "unknown atoms 'chanels'",
        ),
    ],
)
def test_cli_malformed_spec_prints_the_located_error(tmp_path, capsys, text, where, message):
    spec = tmp_path / "bad.interp"
    spec.write_text(text)
    out = tmp_path / "space.html"
    assert main(["space", str(spec), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{spec}{where} error: {message}" in err
    assert "^" in err and "Traceback" not in err
    assert not out.exists()


def test_an_alternative_the_checker_rejects_is_left_out_not_fatal(monkeypatch):
    import interp.compare.space as space_module

    bad = "activations(L.channels) as grid"  # grid needs positions: the checker refuses it
    monkeypatch.setattr(space_module, "ALTERNATIVES", (*ALTERNATIVES[:2], bad))
    space_module._alternatives.cache_clear()
    try:
        found = space_of("teaser").alternatives
    finally:
        space_module._alternatives.cache_clear()
    assert [a.example for a in found] == list(ALTERNATIVES[:2])
