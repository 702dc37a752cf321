"""Side-by-side pictures of gallery pages before and after a change: `docs/figures/<spec>.webp`.

    python scripts/before_after.py                         # every page shot before REV too
    python scripts/before_after.py --before f63b815^ teaser saliency
    python scripts/before_after.py --before 0e45780 --after-label "after (issue 24)" \
        --out docs/speed --width 1200 --top 900 semantic_dictionary activation_grid

"Before" is `docs/gallery/<spec>.webp` as committed at `--before` (read with `git show`),
"after" the one in the working tree. Both are scaled to one width, put side by side under
a label each, and kept as a WebP no larger than `--budget` kilobytes (the quality is
lowered until it fits).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GALLERY = "docs/gallery"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
LABEL = 34  # room above each picture for its label
GAP = 16


def committed(rev: str, name: str) -> bytes | None:
    """The gallery picture of `name` at `rev`; None when it did not exist then."""
    found = subprocess.run(
        ["git", "show", f"{rev}:{GALLERY}/{name}.webp"], cwd=REPO, capture_output=True
    )
    return found.stdout if found.returncode == 0 else None


def label_font(size: int):
    """DejaVu Sans Bold at `size` px, else Pillow's default font."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default()


def pair(before: bytes, after: bytes, labels: tuple[str, str], width: int, top: int | None = None):
    """The two pictures side by side at `width` pixels each, each under its label (only
    their `top` rows of pixels, when given: a close look at part of a page)."""
    from PIL import Image, ImageDraw

    shots = []
    for raw in (before, after):
        image = Image.open(io.BytesIO(raw)).convert("RGB")
        if top is not None:
            image = image.crop((0, 0, image.width, min(top, image.height)))
        height = round(image.height * width / image.width)
        shots.append(image.resize((width, height), Image.Resampling.LANCZOS))
    canvas = Image.new(
        "RGB", (2 * width + GAP, LABEL + max(s.height for s in shots)), (255, 255, 255)
    )
    draw = ImageDraw.Draw(canvas)
    font = label_font(18)
    for i, (shot, label) in enumerate(zip(shots, labels, strict=True)):
        left = i * (width + GAP)
        canvas.paste(shot, (left, LABEL))
        draw.text((left + 8, 8), label, fill=(29, 29, 31), font=font)
    draw.line([(width + GAP // 2, 0), (width + GAP // 2, canvas.height)], fill=(200, 200, 200))
    return canvas


def save(image, path: Path, budget: int) -> int:
    """`image` as a WebP of at most `budget` bytes (quality lowered until it fits)."""
    for quality in (85, 78, 70, 62, 55, 48, 40):
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=quality, method=6)
        if buffer.tell() <= budget:
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(path)
    return buffer.tell()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", help="gallery page names (default: all)")
    parser.add_argument("--before", default="f63b815^", help="the commit of the 'before' shots")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "figures")
    parser.add_argument("--width", type=int, default=700, help="each picture's width")
    parser.add_argument("--budget", type=int, default=300, help="kilobytes per pair")
    parser.add_argument("--after-label", default="after (issue 19)", help="the right side's label")
    parser.add_argument("--top", type=int, help="keep only this many rows of pixels of each shot")
    args = parser.parse_args(argv)
    names = args.specs or sorted(p.stem for p in (REPO / GALLERY).glob("*.webp"))
    for name in names:
        before = committed(args.before, name)
        after = REPO / GALLERY / f"{name}.webp"
        if before is None or not after.exists():
            print(f"skipped {name}: no picture before {args.before} or none now", file=sys.stderr)
            continue
        labels = (f"before (gallery at {args.before})", args.after_label)
        image = pair(before, after.read_bytes(), labels, args.width, args.top)
        size = save(image, args.out / f"{name}.webp", args.budget * 1000)
        print(f"wrote {args.out / name}.webp ({size // 1000} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
