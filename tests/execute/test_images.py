"""Input images: bundled samples load offline, files become RGB uint8, helpers round-trip."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interp.data.images import SAMPLES, ImageSpec, image_digest, load_image, to_data_url
from interp.errors import InterpError, Span

SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.mark.parametrize("name", SAMPLES)
def test_every_listed_sample_loads_offline_as_rgb_uint8(name):
    image = load_image(ImageSpec("sample", name))
    assert image.ndim == 3 and image.shape[2] == 3
    assert image.dtype == np.uint8
    assert min(image.shape[:2]) >= 64


def test_samples_are_cached_and_read_only():
    first = load_image(ImageSpec("sample", "chelsea"))
    assert first is load_image(ImageSpec("sample", "chelsea"))
    assert first.shape == (300, 451, 3)
    with pytest.raises(ValueError):
        first[0, 0, 0] = 1


def test_unknown_sample_suggests_the_closest_name():
    with pytest.raises(InterpError) as caught:
        load_image(ImageSpec("sample", "chelsae"))
    (diagnostic,) = caught.value.diagnostics
    assert "chelsae" in diagnostic.message
    assert "did you mean 'chelsea'" in diagnostic.hint


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.png"
    with pytest.raises(InterpError, match="no such image file") as caught:
        load_image(ImageSpec("path", str(path)))
    assert str(path) in caught.value.diagnostics[0].message


def test_a_file_that_is_not_an_image_is_a_user_error(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not a picture")
    with pytest.raises(InterpError, match="cannot read image file"):
        load_image(ImageSpec("path", str(path)))


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width`×`height` RGB pixels and holds none: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height", "shown"),
    [(20000, 20000, "400,000,000 pixels"), (10000, 10000, "100,000,000 pixels")],
    ids=["over PIL's error limit", "over PIL's warning limit"],
)
def test_a_decompression_bomb_is_refused_from_its_header(tmp_path, width, height, shown):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header(width, height))
    span = Span("spec.interp", 3, 9, 3, 19)
    with pytest.raises(InterpError) as caught:
        load_image(ImageSpec("path", str(path)), span)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == f"image file is too large to read safely: {path} is {shown}"
    assert diagnostic.span == span
    assert "downscale" in diagnostic.hint


def test_a_bomb_is_refused_even_with_pils_check_switched_off(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header(20000, 20000))
    with pytest.raises(InterpError, match="20000×20000 pixels"):
        load_image(ImageSpec("path", str(path)))


def test_a_truncated_image_and_a_folder_are_located_errors(tmp_path):
    path = tmp_path / "cut.png"
    path.write_bytes(png_header(64, 64))  # a header, and no pixels
    span = Span("spec.interp", 2, 3)
    with pytest.raises(InterpError, match="cannot read image file") as caught:
        load_image(ImageSpec("path", str(path)), span)
    assert caught.value.diagnostics[0].span == span
    assert "truncated" in caught.value.diagnostics[0].hint
    with pytest.raises(InterpError, match="is a folder, not an image file") as caught:
        load_image(ImageSpec("path", str(tmp_path)), span)
    assert caught.value.diagnostics[0].span == span


def test_interp_check_locates_a_bomb_in_the_spec(tmp_path, monkeypatch, capsys):
    from interp.cli import main

    (tmp_path / "bomb.png").write_bytes(png_header(20000, 20000))
    spec = tmp_path / "bomb.interp"
    spec.write_text(
        (SPECS / "saliency.interp").read_text().replace('sample("chelsea")', '"bomb.png"')
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "bomb.interp"]) == 1
    err = capsys.readouterr().err
    assert "bomb.interp:4:9: error: image file is too large to read safely: bomb.png is " in err
    assert '   4 |   input "bomb.png"' in err and "hint: interp reads images" in err


def test_png_and_jpeg_files_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.png")
    np.testing.assert_array_equal(load_image(ImageSpec("path", str(tmp_path / "a.png"))), pixels)
    Image.fromarray(pixels).save(tmp_path / "a.jpg", quality=95)
    jpeg = load_image(ImageSpec("path", str(tmp_path / "a.jpg")))
    assert jpeg.shape == (20, 30, 3) and jpeg.dtype == np.uint8


def test_greyscale_and_rgba_files_become_rgb(tmp_path):
    grey = np.arange(100, dtype=np.uint8).reshape(10, 10)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    loaded = load_image(ImageSpec("path", str(tmp_path / "grey.png")))
    assert loaded.shape == (10, 10, 3)
    np.testing.assert_array_equal(loaded[:, :, 1], grey)

    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[:2, :, :] = (255, 0, 0, 255)  # opaque red on top, transparent below
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    loaded = load_image(ImageSpec("path", str(tmp_path / "rgba.png")))
    assert loaded.shape == (4, 4, 3)
    assert tuple(loaded[0, 0]) == (255, 0, 0)
    assert tuple(loaded[3, 3]) == (255, 255, 255)


def test_digest_depends_on_pixels_and_shape():
    image = load_image(ImageSpec("sample", "coffee"))
    assert image_digest(image) == image_digest(image.copy())
    changed = image.copy()
    changed[0, 0, 0] ^= 1
    assert image_digest(changed) != image_digest(image)
    assert image_digest(image.reshape(-1, image.shape[1] * 3)) != image_digest(image)


def test_data_url_decodes_to_the_same_pixels():
    image = load_image(ImageSpec("sample", "astronaut"))[:32, :48]
    url = to_data_url(image)
    assert url.startswith("data:image/png;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    np.testing.assert_array_equal(np.asarray(decoded), image)
    assert to_data_url(image, format="jpeg").startswith("data:image/jpeg;base64,")


def test_pages_get_photos_as_webp_and_flat_pictures_exactly():
    from interp.data.images import compact_data_url

    photo = load_image(ImageSpec("sample", "chelsea"))[:224, :224]
    url = compact_data_url(photo)
    assert url.startswith("data:image/webp;base64,")
    png = to_data_url(photo)
    assert len(url) < len(png) / 4  # the page's weight: photos and feature visualizations
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert decoded.shape == photo.shape and np.abs(decoded.astype(int) - photo).mean() < 4

    flat = np.zeros((64, 64, 3), np.uint8)
    flat[:, 32:] = (200, 30, 60)  # exact colours cost nothing as a PNG
    assert compact_data_url(flat) == to_data_url(flat)
