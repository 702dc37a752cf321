"""One element's icons drawn by the full-size schedule above those drawn coarse to fine.

    python scripts/icon_sheet.py specs/semantic_dictionary.interp dictionary \
        --count 48 --side 64 --out docs/speed/semantic_dictionary_icons.webp

The spec is run twice: with the standard preset as it is (coarse to fine, from the
on-disk cache when it holds the icons) and with every step at full size (the preset
before issue 24, in a temporary cache, so the real one never holds its icons under
the preset's key). The first `--count` atoms both show are tiled at `--side` px,
the size a page displays them, one schedule above the other, same seeds.
"""

from __future__ import annotations

import argparse
import base64
import io
import tempfile
from dataclasses import replace
from pathlib import Path

from before_after import label_font, save

GAP, LABEL = 4, 26


def icons(spec: Path, element: str, cache) -> dict:
    """atom -> icon data URL, for the element of the spec's first page."""
    import interp

    page = interp.run(spec, progress=False, cache=cache).pages[0]
    table = next(e for e in page.elements if e.name == element).table
    found: dict = {}
    for atom, icon in zip(table["atom"], table["icon"], strict=True):
        if isinstance(icon, str):
            found.setdefault(atom, icon)
    return found


def decoded(url: str, side: int):
    from PIL import Image

    raw = base64.b64decode(url.split(",", 1)[1])
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    return image.resize((side, side), Image.Resampling.LANCZOS)


def sheet(blocks: list[tuple[str, dict]], atoms: list, side: int, per_row: int = 16):
    from PIL import Image, ImageDraw

    per_row = min(per_row, len(atoms))
    height = -(-len(atoms) // per_row) * (side + GAP)
    canvas = Image.new("RGB", (per_row * (side + GAP), len(blocks) * (height + LABEL)), "white")
    draw = ImageDraw.Draw(canvas)
    font = label_font(16)
    for b, (label, found) in enumerate(blocks):
        top = b * (height + LABEL)
        draw.text((4, top + 4), label, fill=(29, 29, 31), font=font)
        for i, atom in enumerate(atoms):
            left, row = (i % per_row) * (side + GAP), (i // per_row) * (side + GAP)
            canvas.paste(decoded(found[atom], side), (left, top + LABEL + row))
    return canvas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("element", help="the element whose icons are tiled")
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--side", type=int, default=64, help="pixels an icon is shown at")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget", type=int, default=300, help="kilobytes at most")
    args = parser.parse_args(argv)

    from interp.cache import Cache
    from interp.execute.feature_vis import api

    ours = icons(args.spec, args.element, Cache())
    preset = api.PRESETS["standard"]
    api.PRESETS["standard"] = replace(preset, pyramid=())
    try:
        with tempfile.TemporaryDirectory() as folder:
            full = icons(args.spec, args.element, Cache(folder))
    finally:
        api.PRESETS["standard"] = preset
    atoms = sorted(set(ours) & set(full), key=str)[: args.count]
    stages = " then ".join(f"{n} steps at {side} px" for side, n in preset.stages())
    blocks = [("before: every step at full size", full), (f"after: {stages}", ours)]
    size = save(sheet(blocks, atoms, args.side), args.out, args.budget * 1000)
    print(f"wrote {args.out} ({len(atoms)} icons, {size // 1000} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
