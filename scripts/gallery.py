"""Render every gallery spec and photograph its page: `docs/gallery/<spec>.webp`.

    python scripts/gallery.py                       # all specs in specs/ but vit, standard quality
    python scripts/gallery.py teaser saliency       # just these
    python scripts/gallery.py --quality draft --out /tmp/shots

Each spec is run, written as HTML (its comparison page when it has a
`compare`), opened offline in Debian's Chromium through Playwright, and
screenshotted untouched at 1200 px wide (a wider page is shrunk to fit), and
kept as a WebP at quality 90: half the bytes of a 256-colour PNG, and the
icons keep their colours (a palette greys them). Results come from the on-disk cache when
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
# Specs the README does not photograph (vit: random weights, no trained ViT ships offline):
# shot only when named.
NOT_SHOT = frozenset({"vit"})


def render(spec: Path, folder: Path, quality: str, icon_size: int | None) -> Path:
    import interp
    from interp.cache import Cache
    from interp.render import write_outputs

    result = interp.run(spec, quality=quality, icon_size=icon_size, progress=False, cache=Cache())
    page = result.comparison() or result.pages[0]
    path = folder / f"{spec.stem}.html"
    write_outputs(page, path)
    return path


def shoot(browser, html: Path, picture: Path, width: int) -> None:
    """The untouched page, full height, as a WebP."""
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
    picture.parent.mkdir(parents=True, exist_ok=True)
    temporary = picture.with_suffix(".tmp")  # a stopped run leaves no half-written picture
    image.save(temporary, "WEBP", quality=90, method=6)
    temporary.replace(picture)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", help="spec names in specs/ (default: all)")
    parser.add_argument("--quality", default="standard", choices=("draft", "standard", "high"))
    parser.add_argument("--icon-size", type=int, default=None)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "gallery")
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--html", type=Path, default=None, help="keep the HTML pages here")
    args = parser.parse_args(argv)
    every = sorted(p.stem for p in (REPO / "specs").glob("*.interp"))
    names = args.specs or [name for name in every if name not in NOT_SHOT]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = args.html or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name in names:
            html = render(REPO / "specs" / f"{name}.interp", folder, args.quality, args.icon_size)
            picture = args.out / f"{name}.webp"
            shoot(browser, html, picture, args.width)
            shown = picture.relative_to(REPO) if picture.is_relative_to(REPO) else picture
            print(
                f"wrote {shown} ({picture.stat().st_size / 1e3:.0f} kB)",
                flush=True,
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
