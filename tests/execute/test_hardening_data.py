"""Degenerate and oversized data (issue 25): refused where written, or a defined value.

Absurd dataset sizes are refused by the checker and large legal ones weighed
by the plan's estimate before anything is listed; correlation over one
example or over constant images is a located error, not an internal one; a
page's labels and titles are bounded, and a page over its budget warns.
"""

from __future__ import annotations

import time
import warnings
from functools import cache

import numpy as np
import pytest
import torch
from PIL import Image
from tiny import tiny_classifier

import interp
from interp.data.datasets import MAX_CROPS, DatasetSpec, example_count, list_examples
from interp.errors import InterpError
from interp.execute.over import _spread
from interp.render import html, render_page
from interp.render.page import MAX_TEXT, page_spec

LABELS = ["cat", "dog", "fox"]
OPTIONS = dict(quality="draft", icon_size=32, icon_steps=2, progress=False, device="cpu")


@cache
def handles(labels: tuple[str, ...] = tuple(LABELS)):
    make = lambda seed: interp.from_module(  # noqa: E731
        tiny_classifier(seed=seed),
        labels=list(labels),
        mean=(0.5,) * 3,
        std=(0.5,) * 3,
        input_size=32,
    )
    return {"tiny": make(0), "other": make(1)}


def twins_spec(dataset: str) -> str:
    return (
        "interface tiny {\n"
        "  model tiny\n"
        '  input sample("chelsea")\n'
        f"  let pics = {dataset}\n"
        '  element twins = correlation(layer("1").channels -> layer("0", model=other).channels,'
        " over=pics) | top(2, per=source) as bars\n"
        "}\n"
    )


def located(caught, text: str) -> str:
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span is not None
    return caught.value.with_source(text).render()


# ---- sizes ------------------------------------------------------------------------------------


def test_a_billion_crops_is_refused_where_written_before_anything_is_listed():
    text = twins_spec("dataset(samples(), crops=1000000000, seed=0)")
    start = time.perf_counter()
    with pytest.raises(InterpError) as caught:
        interp.run(text, models=handles(), **OPTIONS)
    assert time.perf_counter() - start < 30
    rendered = located(caught, text)
    assert "crops=1,000,000,000 is more than 100,000" in rendered
    assert ":4:39: error" in rendered.splitlines()[0]  # at the number
    with pytest.raises(InterpError, match="more than 100,000"):
        list_examples(DatasetSpec("samples", crops=MAX_CROPS + 1))  # the Python API too


def test_the_estimate_counts_crops_without_drawing_them_and_the_budget_refuses():
    list_examples(DatasetSpec("samples", crops=1))  # the photos' sizes, read once
    start = time.perf_counter()
    assert example_count(DatasetSpec("samples", crops=MAX_CROPS, seed=3)) == MAX_CROPS
    assert example_count(DatasetSpec("samples", crops=MAX_CROPS, limit=7)) == 7
    assert time.perf_counter() - start < 0.5  # drawing 100,000 crops takes seconds
    text = twins_spec(f"dataset(samples(), crops={MAX_CROPS}, seed=5)")
    with pytest.raises(InterpError, match="over the budget"):
        interp.run(text, models=handles(), cache=None, budget=0.5, **OPTIONS)


# ---- degenerate data --------------------------------------------------------------------------


def test_a_folder_of_damaged_images_is_located(tmp_path):
    (tmp_path / "pics").mkdir()
    for name in ("a.jpg", "b.png"):
        (tmp_path / "pics" / name).write_bytes(b"\xff\xd8\xff not really an image")
    text = twins_spec(f'dataset("{tmp_path}/pics/*")')
    with pytest.raises(InterpError) as caught:
        interp.run(text, models=handles(), cache=None, **OPTIONS)
    assert "none of the 2 files" in located(caught, text)


def test_correlation_over_one_example_is_a_located_error(tmp_path):
    (tmp_path / "one").mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(
        tmp_path / "one" / "a.png"
    )
    text = twins_spec(f'dataset("{tmp_path}/one/*.png")')
    with pytest.raises(InterpError) as caught:
        interp.run(text, models=handles(), cache=None, **OPTIONS)
    rendered = located(caught, text)
    assert "correlation is undefined over 1 example" in rendered
    assert ":5:19: error" in rendered.splitlines()[0]  # at correlation(...)
    text = twins_spec("dataset(samples(), crops=1)")
    with pytest.raises(InterpError, match="undefined over 1 example"):
        interp.run(text, models=handles(), cache=None, **OPTIONS)


def test_correlation_over_constant_images_is_an_error_naming_the_dataset(tmp_path):
    (tmp_path / "flat").mkdir()
    for i in range(3):
        Image.fromarray(np.full((40, 40, 3), 128, np.uint8)).save(tmp_path / "flat" / f"{i}.png")
    text = twins_spec(f'dataset("{tmp_path}/flat/*.png")')
    with pytest.raises(InterpError) as caught:
        interp.run(text, models=handles(), cache=None, **OPTIONS)
    (diagnostic,) = caught.value.diagnostics  # found by the pass: named, not located
    assert "every channel of both layers is constant over its 3 examples" in diagnostic.message
    assert f'dataset("{tmp_path}/flat/*.png")' in diagnostic.message


def test_a_constant_channels_rounding_noise_is_not_a_correlation():
    values = np.array([[3.1, 1.0], [3.1, 2.0], [3.1, 4.0]], dtype=np.float32).astype(np.float64)
    values[:, 0] += np.array([0.0, 3e-7, -1e-7])  # float32 sums in another order
    n = float(len(values))
    varies, _ = _spread(n, values.sum(0), (values * values).sum(0))
    assert varies.tolist() == [False, True]


# ---- pages ------------------------------------------------------------------------------------


def strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def test_huge_class_names_and_titles_are_cut_and_the_page_stays_small():
    names = tuple(letter * 300_000 for letter in "abc")
    text = (
        f'interface tiny "{"T" * 300_000}" {{\n'
        "  model tiny\n"
        '  input sample("chelsea")\n'
        "  element logits = activations(output) as bars\n"
        '  element attr = attribution(layer("1").channels -> output) | top(3, per=source) as bars\n'
        "}\n"
    )
    result = interp.run(text, models={"tiny": handles(names)["tiny"]}, cache=None, **OPTIONS)
    spec = page_spec(result.pages[0])
    longest = max(len(s) for s in strings(spec) if not s.startswith("data:"))
    assert longest <= MAX_TEXT
    assert spec["title"]["text"] == "T" * (MAX_TEXT - 1) + "…"
    assert any(s == "a" * (MAX_TEXT - 1) + "…" for s in strings(spec["datasets"]))
    page = render_page(result.pages[0])
    assert len(page) < 2_000_000  # 10 MB before


def test_a_page_over_its_budget_warns(monkeypatch):
    result = interp.run(
        'interface tiny {\n  model tiny\n  input sample("chelsea")\n'
        "  element logits = activations(output) as bars\n}\n",
        models=handles(),
        cache=None,
        **OPTIONS,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_page(result.pages[0])  # within the budget: no warning
    monkeypatch.setattr(html, "PAGE_BUDGET", 1000)
    with pytest.warns(html.PageSizeWarning, match="over its budget"):
        render_page(result.pages[0])


# ---- a selection reaching what a content does not compute ------------------------------------


def test_a_clicked_class_the_target_does_not_compute_shows_nothing_and_says_so():
    text = (
        "interface tiny {\n"
        "  model tiny\n"
        '  input sample("chelsea")\n'
        "  element classes = activations(output) | top(3) as bars\n"
        '  element d = attribution(layer("1").channels -> output["dog"])'
        " | select(classes.click) | top(2) as bars\n"
        '  element g = attribution(layer("1").spatial -> output["dog"])'
        " | select(classes.hover) as heatmap(over=input)\n"
        "}\n"
    )
    result = interp.run(text, models=handles(), cache=None, **OPTIONS)
    kept = result.data("d")
    assert set(kept["key_classes"]) == {"dog"}  # only the computed class has values
    assert result.array("d").sizes["key_classes"] == 3  # one (empty) slice per offered class
    page = render_page(result.pages[0]).replace('","', " ")  # title lines joined
    assert 'the clicked class (computed for \\"dog\\" only)' in page
    assert "the hovered class (computed for" in page


def test_channels_constant_over_the_examples_are_left_out_and_said(tmp_path):
    """Some channels constant (dead) over the dataset, others varying: their r is undefined,
    absent from the view, and the page says how many were left out and why."""
    dead = tiny_classifier(seed=0)
    with torch.no_grad():
        dead[0].bias[:2] = -1e4  # channels 0 and 1 of layer "0" never pass the ReLU "1"
    models = {
        "tiny": interp.from_module(
            dead, labels=LABELS, mean=(0.5,) * 3, std=(0.5,) * 3, input_size=32
        ),
        "other": handles()["other"],
    }
    result = interp.run(
        twins_spec("dataset(samples(), crops=16, seed=0)"), models=models, cache=None, **OPTIONS
    )
    assert set(result.data("twins")["channel"]) == {2, 3}  # 0 and 1 have no r
    (view,) = [v for v in result.pages[0].elements if v.name == "twins"]
    assert (
        "r undefined for 2 source channels constant over the 16 examples: left out"
        in (view.meta["subtitle"])
    )
