"""Screenshot rendered pages in headless Chromium, to look at them (and compare before/after).

    python benchmarks/screenshot_pages.py PAGE.html [PAGE.html ...] -o shots/ [--scale 2]

Each page is opened offline (Debian's /usr/bin/chromium through Playwright),
waited on until every view is drawn, and saved as ``shots/PAGE.png`` (the
full page) at `--scale` device pixels per CSS pixel: 2 shows what a
high-density screen shows. A page whose views fail to draw, or whose images
fail to decode, is reported and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
BROKEN_IMAGES = """async () => {
  let broken = 0;
  for (const image of document.querySelectorAll("svg image")) {
    const probe = new Image();
    probe.src = image.getAttribute("href") || image.getAttribute("xlink:href");
    try { await probe.decode(); } catch (error) { broken += 1; }
  }
  return broken;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path("shots"))
    parser.add_argument("--scale", type=float, default=2.0)
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.output.mkdir(parents=True, exist_ok=True)
    failed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for path in args.pages:
            page = browser.new_page(
                viewport={"width": args.width, "height": 900}, device_scale_factor=args.scale
            )
            page.goto(path.resolve().as_uri())
            page.wait_for_function("document.body.dataset.ready !== undefined", timeout=120_000)
            ready = page.evaluate("document.body.dataset.ready")
            page.wait_for_timeout(500)  # images decode after the views are drawn
            broken = page.evaluate(BROKEN_IMAGES)
            target = args.output / f"{path.stem}.png"
            page.screenshot(path=str(target), full_page=True)
            images = page.evaluate("document.querySelectorAll('svg image').length")
            print(f"{target}: ready={ready}, {images} images, {broken} undecodable")
            failed |= ready != "true" or broken > 0
            page.close()
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
