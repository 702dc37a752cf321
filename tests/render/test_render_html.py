"""The HTML shell and the written files: self-contained, escaped, atomic."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import synthetic_pages as synthetic

from interp.execute.views import PageView
from interp.render import export, render_comparison, render_page, write_outputs
from interp.render.html import spec_json

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def teaser_html() -> str:
    return render_page(synthetic.teaser())


def hostile_page() -> PageView:
    page = synthetic.teaser()
    return PageView(
        name=page.name,
        title=HOSTILE,
        elements=page.elements,
        model=f"{HOSTILE} & co",
        input='"><img src=x onerror=alert(2)>',
    )


def test_page_is_self_contained(teaser_html):
    assert "vegaEmbed" in teaser_html
    shell = re.sub(r"<script>.*?</script>", "", teaser_html, flags=re.S)
    assert not re.search(r"""(?:src|href)\s*=""", shell)
    assert "<link" not in shell
    spec = json.loads(
        re.search(r"<script type=\"application/json\"[^>]*>(.*?)</script>", shell, re.S)[1]
    )
    urls = [row["url"] for rows in spec["datasets"].values() for row in rows if "url" in row]
    assert urls and all(url.startswith("data:image/png;base64,") for url in urls)
    assert "window.__interp_views" in teaser_html
    assert 'renderer: "svg"' in teaser_html


def test_page_shell_names_title_model_and_input(teaser_html):
    assert "<h1>Egyptian cat or tabby?</h1>" in teaser_html
    assert "<title>Egyptian cat or tabby?</title>" in teaser_html
    assert "efficientnet_lite0" in teaser_html
    assert "sample(&quot;chelsea&quot;)" in teaser_html


def test_user_strings_are_escaped():
    html = render_page(hostile_page())
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    # exactly the shell's own scripts: the packed bundle and its loader, one spec, the embedding
    assert html.count("<script") == 4
    assert html.count("</script>") == 4


def test_spec_json_cannot_close_its_script_tag():
    text = spec_json({"title": "</script><script>alert(1)</script>", "x": "a\u2028b & c"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"title": "</script><script>alert(1)</script>", "x": "a\u2028b & c"}


def test_hostile_element_labels_stay_data():
    page = synthetic.channel_attribution()
    table = page.elements[0].table.assign(atom=[HOSTILE, "tabby", "b"])
    classes = page.elements[0].__class__(**{**page.elements[0].__dict__, "table": table})
    html = render_page(PageView(page.name, page.title, (classes, *page.elements[1:])))
    assert HOSTILE not in html
    assert "\\u003cscript\\u003ealert(1)" in html


def test_comparison_shows_pages_and_metrics():
    html = render_comparison(synthetic.comparison())
    assert html.count('class="interp-view"') == 2
    table = re.search(r"<table[^>]*metrics[^>]*>.*?</table>", html, re.S)[0]
    assert "<th>interface</th>" in table and "<abbr>rank correlation</abbr>" in table
    assert "<td>randomized</td>" in table and "<td>0.07</td>" in table
    # no pandas index column: every row starts with its interface
    assert re.findall(r"<tr><td>([^<]*)</td>", table) == ["trained", "randomized"]
    assert '<th title="Spearman rank correlation with the trained interface">' in table
    assert "Random weights" in html and "Egyptian cat or tabby?" in html
    assert '"name":"teaser__detectors_hover"' in html
    assert '"name":"randomized__detectors_hover"' in html


def test_tidy_metrics_become_one_column_per_metric_with_definitions():
    from interp.render.html import metrics_table

    tidy = pd.DataFrame(
        {
            "interface": ["trained", "randomized", "trained", "randomized"],
            "element": ["saliency"] * 4,
            "metric": ["randomization", "randomization", "deletion", "deletion"],
            "value": [None, 0.12, 0.5, 0.25],
        }
    )
    table = metrics_table(tidy, {"deletion": "area under the <curve>"})
    assert table.count("<th>") == 3  # element, interface, randomization (deletion is defined)
    assert '<th title="area under the &lt;curve&gt;"><abbr>deletion</abbr></th>' in table
    assert '<tr><td>saliency</td><td>trained</td><td class="na"' in table
    assert "<dt>deletion</dt><dd>area under the &lt;curve&gt;</dd>" in table


def test_metrics_are_escaped():
    cmp = synthetic.comparison()
    metrics = cmp.metrics.rename(columns={"rank correlation": HOSTILE})
    html = render_comparison(cmp.__class__(pages=cmp.pages, metrics=metrics))
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_write_outputs_writes_html_json_png_svg(tmp_path):
    paths = {kind: tmp_path / "out" / f"teaser.{kind}" for kind in ("html", "json", "png", "svg")}
    write_outputs(
        synthetic.teaser(),
        paths["html"],
        json_path=paths["json"],
        png_path=paths["png"],
        svg_path=paths["svg"],
        png_scale=1.0,
    )
    assert paths["html"].read_text().startswith("<!DOCTYPE html>")
    spec = json.loads(paths["json"].read_text())
    assert spec["params"][0]["name"] == "detectors_hover"
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in paths["svg"].read_text()[:500]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in paths.values()
    )


def test_failed_write_leaves_no_files_behind(tmp_path, monkeypatch):
    html = tmp_path / "page.html"
    html.write_text("previous")

    def broken(*args, **kwargs):
        raise RuntimeError("png export failed")

    monkeypatch.setattr(export, "to_png", broken)
    with pytest.raises(RuntimeError):
        write_outputs(synthetic.teaser(), html, png_path=tmp_path / "page.png")
    assert html.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_interrupted_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    target.write_text("previous")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(export.os, "replace", fail)
    with pytest.raises(OSError):
        export.write_atomic(target, b"new")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_the_bundle_is_packed_to_a_third_and_unpacks_to_itself(teaser_html):
    import base64
    import gzip

    from interp.render.html import javascript, packed_javascript

    packed = packed_javascript()
    assert packed in teaser_html and javascript() not in teaser_html
    assert gzip.decompress(base64.b64decode(packed)).decode() == javascript()
    assert len(packed) < len(javascript()) / 2


def test_the_packed_bundle_is_kept_on_disk_for_the_next_process(tmp_path, monkeypatch):
    """Bundling takes vl-convert a second per process; the next one reads the packed text
    from the cache folder, a damaged entry is rebuilt, and an unwritable folder is no error."""
    from interp.cache import Cache
    from interp.render import html

    expected = html.packed_javascript()
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path / "cache"))
    html.packed_javascript.cache_clear()  # as a new process would start
    assert html.packed_javascript() == expected
    (entry,) = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]

    def no_bundling():
        raise AssertionError("bundled again")

    html.packed_javascript.cache_clear()
    monkeypatch.setattr(html, "javascript", no_bundling)
    assert html.packed_javascript() == expected  # read back, not rebuilt

    entry.write_bytes(entry.read_bytes()[:-10])  # damaged: rebuilt, never served
    monkeypatch.undo()
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path / "cache"))
    html.packed_javascript.cache_clear()
    assert html.packed_javascript() == expected

    def unwritable(self, key, value):
        raise OSError("read-only file system")

    monkeypatch.setattr(Cache, "put", unwritable)
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path / "other"))
    html.packed_javascript.cache_clear()
    assert html.packed_javascript() == expected
    html.packed_javascript.cache_clear()
