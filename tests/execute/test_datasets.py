"""Datasets: which examples `dataset(...)` names, their pixels, and the Python helpers.

No model runs here: listing, crops, skipped files and the errors of empty or
unreadable matches (`interp.data.datasets`).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from PIL import Image

import interp
from interp.data.datasets import (
    SAMPLE_PHOTOS,
    DatasetSpec,
    DatasetWarning,
    list_examples,
    load_example,
)
from interp.datasets import dataset, samples
from interp.errors import InterpError


def photos(folder, count: int, size=(40, 30)) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        path = folder / f"img{i:02d}.jpg"
        Image.fromarray(rng.integers(0, 255, (*size[::-1], 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_samples_are_the_bundled_photos_and_crops_are_seeded():
    whole = list_examples(DatasetSpec("samples"))
    assert [e.source for e in whole.examples] == list(SAMPLE_PHOTOS)
    assert all(load_example(e).dtype == np.uint8 for e in whole.examples[:3])
    crops = list_examples(DatasetSpec("samples", crops=20, seed=0))
    again = list_examples(DatasetSpec("samples", crops=20, seed=0))
    other = list_examples(DatasetSpec("samples", crops=20, seed=1))
    assert crops.examples == again.examples and crops.stamp == again.stamp
    assert crops.examples != other.examples
    for example in crops.examples:
        left, top, side = example.box
        pixels = load_example(example)
        assert pixels.shape == (side, side, 3)
        full = load_example(type(example)(0, example.source, None, "sample"))
        assert np.array_equal(pixels, full[top : top + side, left : left + side])
        assert 0.3 * min(full.shape[:2]) - 1 <= side <= 0.7 * min(full.shape[:2])
    assert len(list_examples(DatasetSpec("samples", crops=20, seed=0, limit=5))) == 5


def test_files_are_sorted_shuffled_by_seed_and_limited(tmp_path):
    paths = photos(tmp_path / "photos" / "a", 4) + photos(tmp_path / "photos" / "b", 3)
    pattern = str(tmp_path / "photos" / "**" / "*.jpg")
    listing = list_examples(DatasetSpec("files", pattern))
    assert [e.source for e in listing.examples] == sorted(map(str, paths))
    shuffled = list_examples(DatasetSpec("files", pattern, seed=3))
    assert sorted(e.source for e in shuffled.examples) == sorted(map(str, paths))
    assert [e.source for e in shuffled.examples] != [e.source for e in listing.examples]
    limited = list_examples(DatasetSpec("files", pattern, limit=2, seed=3))
    assert [e.source for e in limited.examples] == [e.source for e in shuffled.examples[:2]]
    assert load_example(listing.examples[0]).shape == (30, 40, 3)


def test_a_touched_file_changes_the_stamp(tmp_path):
    paths = photos(tmp_path, 2)
    spec = DatasetSpec("files", str(tmp_path / "*.jpg"))
    before = list_examples(spec).stamp
    Image.new("RGB", (8, 8)).save(paths[0])
    assert list_examples(spec).stamp != before


def test_unreadable_files_are_skipped_and_reported_once(tmp_path):
    photos(tmp_path, 3)
    for name in ("notes.jpg", "broken.jpg", "empty.jpg", "more.jpg"):
        (tmp_path / name).write_text("not an image")
    spec = DatasetSpec("files", str(tmp_path / "*.jpg"), written="*.jpg")
    with pytest.warns(DatasetWarning) as caught:
        listing = list_examples(spec)
    assert len(listing) == 3 and len(listing.skipped) == 4
    (message,) = [str(w.message) for w in caught]
    assert (
        "skipped 4 files that are not a readable image: broken.jpg, empty.jpg, more.jpg, ..."
        in message
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list_examples(spec)  # reported once per process


def test_an_empty_match_and_a_folder_of_non_images_are_errors(tmp_path):
    with pytest.raises(InterpError, match="matches no files"):
        list_examples(DatasetSpec("files", str(tmp_path / "*.jpg"), written="*.jpg"))
    for name in ("a.txt", "b.csv", "c.md", "d.json"):
        (tmp_path / name).write_text("text")
    with pytest.raises(InterpError) as caught:
        list_examples(DatasetSpec("files", str(tmp_path / "*"), written="docs/*"))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == (
        "none of the 4 files dataset 'docs/*' matches is a readable image (a.txt, b.csv, c.md, ...)"
    )
    assert "PNG and JPEG" in diagnostic.hint


def test_a_folder_of_non_images_is_located_at_the_dataset_call(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / "docs").mkdir(exist_ok=True)
        (tmp_path / "docs" / name).write_text("text")
    spec_file = tmp_path / "demo.interp"
    spec_file.write_text(
        "interface demo {\n"
        '  let pics = dataset("docs/*")\n'
        '  element fires = activations(layer("blocks.4.2.bn1").spatial, over=pics) | top(4) as examples\n'
        "}\n"
    )
    with pytest.raises(InterpError) as caught:
        interp.check(interp.load(spec_file))
    rendered = caught.value.with_source(spec_file.read_text()).render()
    assert rendered == (
        f"{spec_file}:2:14: error: none of the 2 files dataset 'docs/*' matches is a readable image (a.txt, b.txt)\n"
        '   2 |   let pics = dataset("docs/*")\n'
        "                    ^^^^^^^^^^^^^^^^^\n"
        '  hint: match image files only, e.g. dataset("photos/**/*.jpg"); PNG and JPEG are read'
    )


def test_relative_globs_are_read_from_the_specs_folder(tmp_path, monkeypatch):
    photos(tmp_path / "here" / "photos", 2)
    (tmp_path / "here" / "demo.interp").write_text(
        "interface demo {\n"
        '  let pics = dataset("photos/*.jpg")\n'
        '  element fires = activations(layer("blocks.4.2.bn1").spatial, over=pics) | top(4) as examples\n'
        "}\n"
    )
    monkeypatch.chdir(tmp_path)
    program = interp.check(interp.load(tmp_path / "here" / "demo.interp"), bind_models=False)
    over = program.interfaces[0].elements[0].content.over
    assert over.pattern == str(tmp_path / "here" / "photos" / "*.jpg")
    assert len(list_examples(over)) == 2


def test_the_python_helpers_list_and_preview_a_dataset(tmp_path):
    photos(tmp_path, 5)
    pics = interp.datasets.dataset(str(tmp_path / "*.jpg"), limit=4)
    assert len(pics) == 4 and repr(pics).endswith(": 4 examples>")
    frame = pics.examples()
    assert list(frame.columns) == ["example", "source", "label", "left", "top", "side", "class"]
    assert frame["label"].tolist() == [f"img{i:02d}.jpg" for i in range(4)]
    sheet = pics.preview(size=16, columns=2)
    assert sheet.size == (32, 32)
    assert re.search(r'<img src="data:image/jpeg;base64,', pics._repr_html_())
    crops = dataset(samples(), crops=3, seed=0)
    assert crops.image(0).shape[0] == crops.examples()["side"][0]
    with pytest.raises(InterpError, match="crops must be a positive integer"):
        dataset(samples(), crops=0)


def test_a_new_or_edited_photo_is_a_new_page(tmp_path):
    from interp.commands.page_cache import page_key

    paths = photos(tmp_path / "photos", 2)
    spec = interp.parse(
        "interface demo {\n"
        '  let pics = dataset("photos/*.jpg")\n'
        '  element fires = activations(layer("blocks.4.2.bn1").spatial, over=pics) | top(4) as examples\n'
        "}\n"
    )
    before = page_key(spec, tmp_path)
    assert sorted(stamp[0] for stamp in before[2]) == sorted(str(p.resolve()) for p in paths)
    Image.new("RGB", (9, 9)).save(paths[1])
    edited = page_key(spec, tmp_path)
    assert edited != before
    photos(tmp_path / "photos" / "more", 1)  # outside the glob: the same page
    assert page_key(spec, tmp_path) == edited
    Image.new("RGB", (9, 9)).save(tmp_path / "photos" / "new.jpg")
    assert page_key(spec, tmp_path) != edited
