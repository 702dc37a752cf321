"""Input images: scikit-image's bundled samples or files, always as RGB uint8.

Every image that enters the pipeline is an ``(H, W, 3)`` ``uint8`` array, so
preprocessing, content hashing and rendering agree on one representation.
Sample arrays are cached and read-only; file images are read fresh each time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from interp.errors import InterpError, Span, did_you_mean, error

# PIL's own default: an image of more pixels than this is refused before decoding
# (PIL merely warns below twice this, and a user may have switched its check off).
MAX_PIXELS = 89_478_485

# The `skimage.data` images that ship inside the wheel (no pooch download).
# Colour photographs first; greyscale and RGBA ones are converted to RGB.
SAMPLES: tuple[str, ...] = (
    "chelsea",
    "cat",
    "coffee",
    "astronaut",
    "rocket",
    "colorwheel",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "logo",
    "camera",
    "coins",
    "moon",
    "clock",
    "brick",
    "grass",
    "gravel",
    "page",
    "text",
    "cell",
    "checkerboard",
)


@dataclass(frozen=True)
class ImageSpec:
    """Where an input image comes from: ``sample("chelsea")`` or a file path."""

    kind: Literal["sample", "path"]
    value: str


def load_image(spec: ImageSpec, span: Span | None = None) -> np.ndarray:
    """The image of `spec` as an ``(H, W, 3)`` uint8 array; user mistakes raise InterpError."""
    if spec.kind == "sample":
        if spec.value not in SAMPLES:
            raise error(
                f"unknown sample image {spec.value!r}",
                span,
                hint=did_you_mean(spec.value, SAMPLES),
            )
        return _sample(spec.value)
    if spec.kind == "path":
        return _read_file(Path(spec.value), span)
    raise ValueError(f"unknown image kind {spec.kind!r}")


@functools.lru_cache(maxsize=8)
def _sample(name: str) -> np.ndarray:
    import skimage.data

    array = to_rgb_uint8(getattr(skimage.data, name)())
    array.flags.writeable = False
    return array


def _read_file(path: Path, span: Span | None) -> np.ndarray:
    if path.is_dir():
        raise error(f"{path} is a folder, not an image file", span, hint=_IMAGE_HINT)
    if not path.is_file():
        raise error(
            f"no such image file: {path}",
            span,
            hint=f"looked for {path.absolute()}; a spec file's paths are relative to its folder",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                _refuse_huge(opened.size, path, span)  # before any pixel is decoded
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large(path, f"{int(found[1]):,} pixels" if found else None, span) from None
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        struct.error,
    ) as exc:
        # PIL reports damaged files through any of these, depending on the format.
        raise error(
            f"cannot read image file: {path}",
            span,
            hint=f"{type(exc).__name__}: {exc}; {_IMAGE_HINT}",
        ) from None
    return _pil_to_rgb(image)


_IMAGE_HINT = "use a PNG or JPEG image"


def _refuse_huge(size: tuple[int, int], path: Path, span: Span | None) -> None:
    """A decompression bomb (a small file of a gigantic image) is refused from its header."""
    width, height = size
    if width * height > MAX_PIXELS:
        raise _too_large(path, f"{width}×{height} pixels", span)


def _too_large(path: Path, size: str | None, span: Span | None) -> InterpError:
    return error(
        f"image file is too large to read safely: {path}" + (f" is {size}" if size else ""),
        span,
        hint=f"interp reads images of up to {MAX_PIXELS:,} pixels (PIL's decompression-bomb "
        "limit); downscale it: the model sees a few hundred pixels a side",
    )


def _pil_to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return to_rgb_uint8(np.asarray(image, dtype=np.float64))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        return to_rgb_uint8(np.asarray(image.convert("RGBA")))
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def to_rgb_uint8(array: np.ndarray) -> np.ndarray:
    """Any greyscale, RGB or RGBA array (bool, integer or float) as ``(H, W, 3)`` uint8.

    Floats are read as [0, 1] when they lie there, else rescaled from their
    range; alpha is composited onto white so transparent areas stay light.
    """
    array = np.asarray(array)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        values = array.astype(np.float64)
        low, high = float(values.min(initial=0.0)), float(values.max(initial=0.0))
        if low < 0.0 or high > 1.0:
            values = (values - low) / max(high - low, 1e-12)
        array = np.round(values * 255.0).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
        raise ValueError(f"not an image array: shape {array.shape}")
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    if array.shape[2] == 4:
        alpha = array[:, :, 3:].astype(np.float64) / 255.0
        blended = array[:, :, :3] * alpha + 255.0 * (1.0 - alpha)
        array = np.round(blended).astype(np.uint8)
    return np.ascontiguousarray(array)


def image_digest(array: np.ndarray) -> str:
    """sha256 of an image's shape, dtype and pixels: its cache key."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{array.shape}|{array.dtype.str}|".encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def to_data_url(
    array: np.ndarray, format: Literal["png", "jpeg", "webp"] = "png", quality: int = 90
) -> str:
    """A uint8 image (``H×W``, ``H×W×3`` or ``H×W×4``) as a base64 data URL for HTML.

    `quality` applies to the lossy formats (``jpeg``, ``webp``)."""
    return _data_url(_encode(array, format, quality), format)


LOSSY_QUALITY = 90
LOSSLESS_SLACK = 1.25  # a PNG at most this much larger than the lossy picture is kept
LOSSLESS_BYTES = 2048  # ... and one this small whatever the lossy one weighs


def compact_data_url(array: np.ndarray, quality: int = LOSSY_QUALITY) -> str:
    """A picture for a page: lossy WebP, or PNG when that costs little more.

    Feature visualizations and photos are textures that PNG stores at five
    to ten times the size of a WebP indistinguishable from them at `quality`
    90; a flat synthetic image keeps its exact colours as a PNG nearly as
    small (or a few kilobytes at most). Chromium and the PNG export (vl-convert) both draw WebP.
    """
    lossy = _encode(array, "webp", quality)
    exact = _encode(array, "png", quality)
    if len(exact) <= max(LOSSLESS_SLACK * len(lossy), LOSSLESS_BYTES):
        return _data_url(exact, "png")
    return _data_url(lossy, "webp")


def _encode(array: np.ndarray, format: str, quality: int) -> bytes:
    if array.dtype != np.uint8:
        raise ValueError(f"to_data_url needs uint8 pixels, got {array.dtype}")
    image = Image.fromarray(np.ascontiguousarray(array))
    if format == "jpeg" and image.mode != "RGB":
        image = image.convert("RGB")
    if format == "webp" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    buffer = io.BytesIO()
    if format == "png":
        image.save(buffer, format="PNG")
    elif format == "webp":
        image.save(buffer, format="WEBP", quality=quality, method=6)
    else:
        image.save(buffer, format=format.upper(), quality=quality)
    return buffer.getvalue()


def _data_url(raw: bytes, format: str) -> str:
    return f"data:image/{format};base64,{base64.b64encode(raw).decode('ascii')}"
