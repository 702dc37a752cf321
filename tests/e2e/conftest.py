"""One headless Chromium for the whole session, pages opened with the network cut off.

Debian's chromium is driven through Playwright's sync API; nothing is ever
downloaded (no ``playwright install``). Tests that need it are skipped when
``/usr/bin/chromium`` (or Playwright) is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

# Items of one named mark, from the Vega scenegraph: their data rows (without
# image URLs) and their bounding boxes in page coordinates.
MARK_ITEMS = """
([viewName, markName]) => {
  const view = window.__interp_views[viewName];
  const origin = view.container().querySelector("svg").getBoundingClientRect();
  const [dx, dy] = view.origin();
  const found = [];
  (function walk(node, x, y) {
    if (!node) return;
    if (node.marktype) {
      if (node.name === markName) {
        for (const item of node.items) {
          const row = Object.assign({}, item.datum);
          delete row.url;
          const b = item.bounds;
          found.push({datum: row, box: {x: origin.left + dx + x + b.x1, y: origin.top + dy + y + b.y1,
                                        width: b.x2 - b.x1, height: b.y2 - b.y1}});
        }
        return;
      }
      for (const item of node.items) walk(item, x, y);
      return;
    }
    const gx = x + (node.x || 0), gy = y + (node.y || 0);
    for (const child of node.items || []) walk(child, gx, gy);
  })(view.scenegraph().root, 0, 0);
  return found;
}
"""


# Every text item of a view, with its role ("title-text", "title-subtitle", "legend-title",
# "mark") and the named group (element view) it belongs to; multi-line text as lists.
TEXTS = """
(viewName) => {
  const view = window.__interp_views[viewName];
  const found = [];
  (function walk(node, owner) {
    if (!node) return;
    if (node.marktype) {
      if (node.marktype === "text") {
        for (const item of node.items) {
          found.push({owner: owner, role: node.role, name: node.name || null, text: item.text});
        }
      }
      const inner = node.marktype === "group" && node.name ? node.name : owner;
      for (const item of node.items || []) walk(item, inner);
      return;
    }
    for (const child of node.items || []) walk(child, owner);
  })(view.scenegraph().root, null);
  return found;
}
"""


@dataclass
class OpenedPage:
    """A loaded page with what went wrong while loading and using it."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def items(self, view: str, mark: str) -> list[dict]:
        return self.page.evaluate(MARK_ITEMS, [view, f"{mark}_marks"])

    def rows(self, view: str, mark: str) -> list[dict]:
        return [item["datum"] for item in self.items(view, mark)]

    def hover(self, box: dict) -> None:
        self.page.mouse.move(*self._in_view(box))

    def click(self, box: dict) -> None:
        self.page.mouse.click(*self._in_view(box))

    def _in_view(self, box: dict) -> tuple[float, float]:
        """The box's centre in the viewport, scrolling the page first if it lies below
        (boxes are measured in client coordinates, before any scrolling)."""
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        height = self.page.viewport_size["height"]
        if 0 <= y < height:
            return x, y
        before = self.page.evaluate("window.scrollY")
        self.page.evaluate(f"window.scrollBy(0, {y - height / 2})")
        return x, y - (self.page.evaluate("window.scrollY") - before)

    def texts(self, view: str, element: str, role: str) -> list[str]:
        """The lines of text with `role` in `element`'s view (its group is ``<element>_group``)."""
        lines: list[str] = []
        for item in self.page.evaluate(TEXTS, view):
            if item["role"] == role and str(item["owner"]).endswith(f"{element}_group"):
                text = item["text"]
                lines += text if isinstance(text, list) else [text]
        return lines

    def subtitle(self, view: str, element: str) -> str:
        """The element's subtitle lines, joined as one text."""
        return " ".join(self.texts(view, element, "title-subtitle"))

    def domain(self, view: str, scale: str) -> list:
        return self.page.evaluate(
            "([v, s]) => window.__interp_views[v].scale(s).domain()", [view, scale]
        )

    def signal(self, view: str, name: str):
        return self.page.evaluate("([v, s]) => window.__interp_views[v].signal(s)", [view, name])


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """Open an HTML file offline: every request that is not file:/data:/about: is aborted."""
    opened: list[object] = []

    def open_(path: Path, *, width: int = 1400, height: int = 1000) -> OpenedPage:
        page = browser.new_page(viewport={"width": width, "height": height})
        opened.append(page)
        result = OpenedPage(page)

        def route(request_route) -> None:
            url = request_route.request.url
            if url.startswith(LOCAL_SCHEMES):
                request_route.continue_()
            else:
                result.blocked.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.on(
            "console",
            lambda message: (
                result.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: result.console_errors.append(str(error)))
        page.on("dialog", lambda dialog: (result.console_errors.append("dialog"), dialog.dismiss()))
        page.goto(path.resolve().as_uri())
        page.wait_for_function("document.body.dataset.ready !== undefined", timeout=20_000)
        return result

    yield open_
    for page in opened:
        page.close()


# ---- a page inside a notebook's iframe ----------------------------------------------------


def ready_frame(element, name: str):
    """The content frame of a page's iframe `element`, once its views are drawn; it holds
    exactly the view `name`."""
    frame = element.element_handle().content_frame()
    frame.wait_for_function("document.body.dataset.ready !== undefined", timeout=30_000)
    assert frame.evaluate("document.body.dataset.ready") == "true"
    assert frame.evaluate("Object.keys(window.__interp_views)") == [name]
    return frame


def detector_keys(frame, name: str) -> list[str]:
    """The keys of the `detectors` icons of page `name`, in their order on the page."""
    items = frame.evaluate(MARK_ITEMS, [name, "detectors__frame_marks"])
    return [item["datum"]["key_detectors"] for item in items]


def hover_detector(page, element, frame, name: str, index: int) -> str:
    """Move the mouse over the `index`-th detector of page `name` (in iframe `element`) and
    wait until its hover param holds it; returns its key."""
    element.scroll_into_view_if_needed()
    offset = element.bounding_box()
    item = frame.evaluate(MARK_ITEMS, [name, "detectors__frame_marks"])[index]
    box, key = item["box"], item["datum"]["key_detectors"]
    page.mouse.move(
        offset["x"] + box["x"] + box["width"] / 2, offset["y"] + box["y"] + box["height"] / 2
    )
    frame.wait_for_function(
        "([v, k]) => window.__interp_views[v].signal('detectors_hover')?.key_detectors?.[0] === k",
        arg=[name, key],
        timeout=5_000,
    )
    return key
