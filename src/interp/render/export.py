"""Writing a page (or comparison) to disk: HTML, Vega-Lite JSON, PNG, SVG.

Every output is computed in memory first; then the files are written as one
set (:func:`interp.files.write_all`): each to a temporary sibling of its own,
the old outputs removed, the new ones moved into place. A failed run never
leaves a half-written file, and a killed one never leaves a new HTML beside a
stale JSON or PNG.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from interp.execute.views import ComparisonView, PageView
from interp.files import write_all, write_atomic

__all__ = ["render_outputs", "to_png", "to_svg", "write_atomic", "write_outputs"]

PNG_SCALE = 2.0


def write_outputs(
    page: PageView | ComparisonView,
    html_path: str | os.PathLike,
    *,
    json_path: str | os.PathLike | None = None,
    png_path: str | os.PathLike | None = None,
    svg_path: str | os.PathLike | None = None,
    png_scale: float = PNG_SCALE,
) -> None:
    """Render ``page`` and write the requested files (HTML always) as one set."""
    if not isinstance(page, PageView | ComparisonView):
        raise TypeError(
            "write_outputs takes a PageView or a ComparisonView (result.pages[0], "
            f"result.comparison()), not {'None' if page is None else type(page).__name__}; "
            "a Result writes itself with result.save('page.html')"
        )
    write_all(
        render_outputs(
            page,
            html_path,
            json_path=json_path,
            png_path=png_path,
            svg_path=svg_path,
            png_scale=png_scale,
        )
    )


def render_outputs(
    page: PageView | ComparisonView,
    html_path: str | os.PathLike,
    *,
    json_path: str | os.PathLike | None = None,
    png_path: str | os.PathLike | None = None,
    svg_path: str | os.PathLike | None = None,
    png_scale: float = PNG_SCALE,
) -> dict[Path, bytes]:
    """The contents of every requested file, by path, written nowhere yet."""
    from interp.render import comparison_spec, page_spec, render_comparison, render_page

    comparing = isinstance(page, ComparisonView)
    outputs: dict[Path, bytes] = {
        Path(html_path): (render_comparison(page) if comparing else render_page(page)).encode()
    }
    if json_path or png_path or svg_path:
        spec = comparison_spec(page) if comparing else page_spec(page)
        if json_path:
            outputs[Path(json_path)] = (json.dumps(spec, indent=1) + "\n").encode()
        if png_path:
            outputs[Path(png_path)] = to_png(spec, scale=png_scale)
        if svg_path:
            outputs[Path(svg_path)] = to_svg(spec).encode()
    return outputs


def to_png(spec: dict, *, scale: float = PNG_SCALE) -> bytes:
    """A static picture of the untouched page (params at their initial atoms)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_png(spec, vl_version=vl_version_for_vl_convert(), scale=scale)


def to_svg(spec: dict) -> str:
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
