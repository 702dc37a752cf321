"""docs/figures.md: every picture it shows exists and stays small (a page of before/after pairs)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_picture_of_the_figures_page_exists_and_is_small():
    text = (DOCS / "figures.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 15
    for picture in pictures:
        path = DOCS / picture
        assert path.exists(), picture
        assert path.stat().st_size <= 300_000, picture
    sections = re.findall(r"^## (\w+)", text, re.MULTILINE)
    gallery = {p.stem for p in (DOCS / "gallery").glob("*.webp")}
    assert set(sections) <= gallery  # each section is a gallery page
