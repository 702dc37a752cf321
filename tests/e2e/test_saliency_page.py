"""The walking skeleton in a real browser: `interp render specs/saliency.interp`
on the real model, opened offline; clicking a class bar changes the heatmap."""

from __future__ import annotations

from pathlib import Path

import pytest

from interp.cli import main

pytestmark = pytest.mark.browser

SPEC = Path(__file__).resolve().parents[2] / "specs" / "saliency.interp"


@pytest.fixture(scope="module")
def page_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("saliency") / "saliency.html"
    assert (
        main(
            [
                "render",
                str(SPEC),
                "-o",
                str(out),
                "--quality",
                "draft",
                "--no-cache",
                "--device",
                "cpu",
            ]
        )
        == 0
    )
    return out


def test_page_is_self_contained(page_path):
    html = page_path.read_text()
    assert "<script src=" not in html and "cdn.jsdelivr" not in html
    assert "data:image/webp;base64," in html  # the input photo is inlined, compressed


def test_top_class_is_selected_before_any_click(open_page, page_path):
    opened = open_page(page_path)
    assert opened.console_errors == [] and opened.blocked == []
    hits = opened.items("saliency", "classes__hit")
    assert hits[0]["datum"]["atom"] == "Egyptian cat"
    shown = {row["key_classes"] for row in opened.rows("saliency", "saliency__cells")}
    assert shown == {"Egyptian cat"}


def test_clicking_another_class_changes_the_heatmap(open_page, page_path):
    opened = open_page(page_path)
    before = [row["value"] for row in opened.rows("saliency", "saliency__cells")]
    hits = opened.items("saliency", "classes__hit")
    second = hits[1]
    opened.click(second["box"])
    rows = opened.rows("saliency", "saliency__cells")
    assert {row["key_classes"] for row in rows} == {second["datum"]["atom"]}
    assert [row["value"] for row in rows] != before
    assert opened.console_errors == []
