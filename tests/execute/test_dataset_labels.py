"""Labels of a dataset's examples (folder as ImageFolder, CSV, source photo) and `where`.

No model runs here: listing only (`interp.data.labels`, `interp.data.datasets`).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import interp
from interp.data.datasets import DatasetSpec, list_examples
from interp.data.labels import Selection
from interp.datasets import dataset, samples
from interp.errors import InterpError


def folder_of_classes(root, counts: dict[str, int]) -> None:
    rng = np.random.default_rng(0)
    for label, count in counts.items():
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            pixels = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / label / f"{i}.png")


def test_folder_labels_match_torchvision_image_folder(tmp_path):
    from torchvision.datasets import ImageFolder

    folder_of_classes(tmp_path / "photos", {"cat": 3, "dog": 2, "zebra": 4})
    listing = list_examples(DatasetSpec("files", str(tmp_path / "photos/*/*.png")))
    reference = ImageFolder(str(tmp_path / "photos"))
    expected = {path: reference.classes[index] for path, index in reference.samples}
    found = {e.source: e.category for e in listing.examples}
    assert found == expected
    assert listing.categories() == {"cat": 3, "dog": 2, "zebra": 4}
    # a deeper glob labels by the folder directly under its root, as ImageFolder does
    deep = list_examples(DatasetSpec("files", str(tmp_path / "**/*.png")))
    assert {e.category for e in deep.examples} == {"photos"}


def test_where_selects_exactly_the_examples_whose_labels_match(tmp_path):
    folder_of_classes(tmp_path / "photos", {"cat": 3, "dog": 2, "zebra": 4})
    whole = DatasetSpec("files", str(tmp_path / "photos/*/*.png"))
    every = list_examples(whole).examples
    for wanted in (("cat",), ("cat", "zebra")):
        kept = list_examples(DatasetSpec("files", whole.pattern, where=Selection(wanted)))
        assert [e.source for e in kept.examples] == [
            e.source for e in every if e.category in wanted
        ]
        assert [e.index for e in kept.examples] == list(range(len(kept)))


def test_csv_labels_relative_and_absolute_and_their_errors(tmp_path):
    folder_of_classes(tmp_path / "photos", {"a": 2, "b": 1})
    table = tmp_path / "photos" / "labels.csv"
    table.write_text(f"path,label\na/0.png,cup\n{tmp_path / 'photos/b/0.png'},mug\n")
    pattern = str(tmp_path / "photos/*/*.png")
    listing = list_examples(DatasetSpec("files", pattern, labels=str(table)))
    assert {e.source.split("photos/")[1]: e.category for e in listing.examples} == {
        "a/0.png": "cup",
        "a/1.png": None,
        "b/0.png": "mug",
    }
    table.write_text("a/0.png,cup\na/0.png,mug\n")
    with pytest.raises(InterpError, match="names 'a/0.png' twice"):
        list_examples(DatasetSpec("files", pattern, labels=str(table)))
    table.write_text("a/9.png,cup\n")
    with pytest.raises(InterpError, match="not a file of the dataset"):
        list_examples(DatasetSpec("files", pattern, labels=str(table)))
    with pytest.raises(InterpError, match="does not exist"):
        list_examples(DatasetSpec("files", pattern, labels=str(tmp_path / "none.csv")))


def test_crops_are_labelled_by_their_source_photo_and_previewed_by_label():
    pics = dataset(samples(), crops=40, seed=0)
    frame = pics.examples()
    assert (frame["class"] == frame["source"]).all()
    counts = pics.counts()
    assert counts.sum() == 40 and counts.to_dict() == frame["class"].value_counts().to_dict()
    assert "labels (" in repr(pics)
    assert f"<td>{counts.index[0]}</td><td>{counts.iloc[0]}</td>" in pics._repr_html_()
    common = counts.idxmax()
    kept = pics.where(label=common)
    assert len(kept) == counts[common]
    assert set(kept.examples()["class"]) == {common}
    # a crop keeps its number in the whole dataset
    numbers = [int(x.split()[-1]) for x in kept.examples()["label"]]
    assert numbers == frame.index[frame["class"] == common].tolist()


def test_where_errors_name_the_labels_there(tmp_path):
    with pytest.raises(InterpError, match="no example has label 'rockett'") as caught:
        len(dataset(samples(), crops=40, seed=0).where(label="rockett"))
    assert "did you mean 'rocket'" in str(caught.value)
    (tmp_path / "flat").mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "flat" / "x.png")
    with pytest.raises(InterpError, match="has no labels"):
        len(dataset(str(tmp_path / "flat/*.png")).where(label="cat"))


def test_where_in_a_spec_is_located(tmp_path):
    spec = """
interface t {
  model efficientnet_lite0(weights=random, seed=0)
  input sample("chelsea")
  let pics = dataset(samples(), crops=40, seed=0)
  let cats = pics.where(label="rockett")
  element a = activations(layer("blocks.0").channels, over=cats) | top(3) as examples
}
"""
    with pytest.raises(InterpError) as caught:
        interp.check(spec, device="cpu")
    text = str(caught.value)
    assert ":6:" in text and "no example has label 'rockett'" in text and "'rocket'" in text
