"""No command destroys a user's file: an output that is one of the run's inputs, a device,
a FIFO or a link to one is refused before any work; a link to a regular file is written
through (the link kept); a dataset glob never follows a link back into itself."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interp import files
from interp.cli import main
from interp.data.paths import match_files
from interp.errors import InterpError

SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.fixture
def never_run(monkeypatch):
    import interp.pipeline

    def refuse(*_args, **_kwargs):
        raise AssertionError("the pipeline ran before the error was reported")

    monkeypatch.setattr(interp.pipeline, "run", refuse)


def _spec_with_image(folder: Path) -> tuple[Path, Path]:
    photo = folder / "cat.png"
    Image.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(photo)
    spec = folder / "mine.interp"
    spec.write_text(
        'interface mine {\n  input "cat.png"\n'
        "  element c = activations(output) | top(3) as bars\n}\n"
    )
    return spec, photo


def test_render_refuses_to_write_over_its_input_image(tmp_path, never_run, capsys):
    spec, photo = _spec_with_image(tmp_path)
    before = photo.read_bytes()
    assert main(["render", str(spec), "-o", str(photo), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert f"error: the output {photo} is one of this run's inputs" in err
    assert "hint:" in err and "Traceback" not in err
    assert photo.read_bytes() == before


def test_render_refuses_metrics_over_an_input_and_two_outputs_on_one_file(
    tmp_path, never_run, capsys
):
    spec, photo = _spec_with_image(tmp_path)
    page = tmp_path / "page.html"
    assert main(["render", str(spec), "-o", str(page), "--metrics", str(spec)]) == 1
    assert "one of this run's inputs" in capsys.readouterr().err
    assert main(["render", str(spec), "-o", str(page), "--metrics", str(page)]) == 1
    assert f"two outputs would be written to {page}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.png", "mine.interp"]


def test_a_link_to_the_input_is_the_input(tmp_path, never_run, capsys):
    spec, photo = _spec_with_image(tmp_path)
    link = tmp_path / "out.html"
    link.symlink_to(photo)
    assert main(["render", str(spec), "-o", str(link), "--no-cache"]) == 1
    assert "one of this run's inputs" in capsys.readouterr().err
    assert link.is_symlink()


def test_render_refuses_a_device(never_run, capsys):
    assert main(["render", str(SPECS / "saliency.interp"), "-o", "/dev/null"]) == 1
    err = capsys.readouterr().err
    assert "error: the output /dev/null is a device, not a file" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_render_refuses_a_fifo_and_a_link_to_one(tmp_path, never_run, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "page.html"
    link.symlink_to(fifo)
    spec = str(SPECS / "saliency.interp")
    assert main(["render", spec, "-o", str(fifo), "--no-cache"]) == 1
    assert "is a FIFO (named pipe), not a file" in capsys.readouterr().err
    assert main(["render", spec, "-o", str(link), "--no-cache"]) == 1
    assert f"(a link to {fifo}) is a FIFO" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()


def test_space_refuses_to_write_over_its_spec(tmp_path, capsys):
    spec = tmp_path / "teaser.interp"
    text = (SPECS / "teaser.interp").read_text()
    spec.write_text(text)
    assert main(["space", str(spec), "-o", str(spec)]) == 1
    assert "is one of this run's inputs" in capsys.readouterr().err
    assert spec.read_text() == text
    assert main(["space", str(spec), "-o", "/dev/null"]) == 1
    assert "is a device" in capsys.readouterr().err


def test_writing_through_a_link_keeps_the_link(tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    files.write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    with pytest.raises(InterpError, match="is a device"):
        files.write_atomic("/dev/null", b"x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_write_into_proc_names_the_target():
    with pytest.raises(OSError) as raised:
        files.write_atomic("/proc/interp-test.html", b"x")
    assert raised.value.filename == "/proc/interp-test.html"


def test_a_glob_never_follows_a_link_back_into_itself(tmp_path):
    photos = tmp_path / "photos"
    (photos / "a").mkdir(parents=True)
    for name in ("one", "two"):
        (photos / "a" / f"{name}.jpg").write_bytes(b"x")
    (photos / "three.jpg").write_bytes(b"x")
    (photos / "a" / "loop").symlink_to(photos)  # back up the tree
    (photos / "again").symlink_to(photos / "a")  # a second path to a's files
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "four.jpg").write_bytes(b"x")
    (photos / "more").symlink_to(elsewhere)  # a link out of the tree: followed
    found = match_files(str(photos / "**" / "*.jpg"))
    names = sorted(Path(p).name for p in found)
    assert names == ["four.jpg", "one.jpg", "three.jpg", "two.jpg"]
    assert len({os.path.realpath(p) for p in found}) == len(found)
