"""Writing a page (or comparison) to disk: HTML, Vega-Lite JSON, PNG, SVG.

Every output is computed in memory first and then each file is written to a
temporary sibling and moved into place with :func:`os.replace`, so a failed
run never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from interp.render.views import ComparisonView, PageView

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
    """Render ``page`` and write the requested files (HTML always)."""
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
    for path, content in outputs.items():
        write_atomic(path, content)


def to_png(spec: dict, *, scale: float = PNG_SCALE) -> bytes:
    """A static picture of the untouched page (params at their initial atoms)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_png(spec, vl_version=vl_version_for_vl_convert(), scale=scale)


def to_svg(spec: dict) -> str:
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
