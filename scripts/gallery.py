"""Render every gallery spec and photograph its page: `docs/gallery/<spec>.png`.

    python scripts/gallery.py                       # all specs in specs/, draft quality
    python scripts/gallery.py teaser saliency       # just these
    python scripts/gallery.py --quality standard --out /tmp/shots

Each spec is run, written as HTML (its comparison page when it has a
`compare`), opened offline in Debian's Chromium through Playwright, and
screenshotted untouched at 1200 px wide (a wider page is shrunk to fit); the
PNG is reduced to 256 colours (the page's flat colours kept exact) so the
README's gallery stays small. Results come from the on-disk cache when
nothing changed, so re-shooting after a rendering change takes seconds.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
WIDTH = 1200


def render(spec: Path, folder: Path, quality: str, icon_size: int | None) -> Path:
    import interp
    from interp.execute.cache import Cache
    from interp.render import write_outputs

    result = interp.run(spec, quality=quality, icon_size=icon_size, progress=False, cache=Cache())
    page = result.comparison() or result.pages[0]
    path = folder / f"{spec.stem}.html"
    write_outputs(page, path)
    return path


def shoot(browser, html: Path, png: Path, width: int) -> None:
    """The untouched page, full height, as an optimized palette PNG."""
    from PIL import Image

    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:", "about:"))
                else route.abort()
            ),
        )
        page.goto(html.resolve().as_uri())
        page.wait_for_function("document.body.dataset.ready !== undefined", timeout=60_000)
        page.mouse.move(1, 1)
        shot = page.screenshot(full_page=True)
    finally:
        page.close()
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    if image.width > width:  # a page wider than the window: shrink it to the gallery's width
        height = round(image.height * width / image.width)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    png.parent.mkdir(parents=True, exist_ok=True)
    palette_image(image).save(png, optimize=True)


def palette_image(image, reserved: int = 40):
    """``image`` in 256 colours: a median-cut palette, plus the flat colours it would miss
    most (the page's white, small swatches, bars: many pixels of one colour far from any
    entry) kept exact; each pixel mapped to its nearest entry (Pillow's own mapping rounds
    white to grey)."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(image, dtype=np.int32)
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    unique, inverse, counts = np.unique(packed.ravel(), return_inverse=True, return_counts=True)
    colours = np.stack([unique >> 16, (unique >> 8) & 255, unique & 255], axis=1)

    def nearest(palette: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.empty(len(colours), dtype=np.uint8)
        error = np.empty(len(colours), dtype=np.int64)
        for start in range(0, len(colours), 4096):
            distance = ((colours[start : start + 4096, None, :] - palette[None]) ** 2).sum(-1)
            index[start : start + 4096] = distance.argmin(1)
            error[start : start + 4096] = distance.min(1)
        return index, error

    cut = image.quantize(256 - reserved, method=Image.Quantize.MEDIANCUT)
    palette = np.array(cut.getpalette()[: 3 * (256 - reserved)]).reshape(-1, 3)
    _, error = nearest(palette)
    flat = np.flatnonzero((counts >= 32) & (error > 0))
    missed = flat[np.argsort(-(counts[flat] * error[flat]), kind="stable")[:reserved]]
    palette = np.concatenate([palette, colours[missed]]).astype(np.int32)
    index, _ = nearest(palette)
    result = Image.fromarray(index[inverse].reshape(packed.shape), mode="P")
    result.putpalette(palette.astype(np.uint8).ravel().tolist())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", help="spec names in specs/ (default: all)")
    parser.add_argument("--quality", default="draft", choices=("draft", "standard", "high"))
    parser.add_argument("--icon-size", type=int, default=None)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "gallery")
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--html", type=Path, default=None, help="keep the HTML pages here")
    args = parser.parse_args(argv)
    names = args.specs or sorted(p.stem for p in (REPO / "specs").glob("*.interp"))

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = args.html or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name in names:
            html = render(REPO / "specs" / f"{name}.interp", folder, args.quality, args.icon_size)
            png = args.out / f"{name}.png"
            shoot(browser, html, png, args.width)
            print(
                f"wrote {png.relative_to(REPO) if png.is_relative_to(REPO) else png}"
                f" ({png.stat().st_size / 1e3:.0f} kB)",
                flush=True,
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
