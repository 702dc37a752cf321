"""The CLI's other commands: layers, plan, fmt round trip, cache."""

from pathlib import Path

from interp.cli import main

SPECS = Path(__file__).resolve().parents[2] / "specs"


def test_layers_lists_shapes_and_signs(capsys):
    assert main(["layers", "efficientnet_lite0"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("blocks.4.2.bn1 "))
    assert "(672, 14, 14)" in line and "non-negative" in line
    assert "signed" in next(row for row in out.splitlines() if row.startswith("blocks.4.2 "))


def test_layers_of_an_unknown_model_is_a_located_error(capsys):
    assert main(["layers", "efficientnet_lite9"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_plan_prints_merged_jobs_and_an_estimate(capsys):
    assert main(["plan", str(SPECS / "spatial_attribution.interp"), "--quality", "draft"]) == 0
    out = capsys.readouterr().out
    assert out.count("attribute ") == 2  # saliency and classes share one job
    assert "estimate:" in out and "forward-equivalents" in out


def test_cache_clear_removes_only_cache_entries(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path))
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / ("ab" + "0" * 62)).write_bytes(b"npy\n")
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["cache", "clear"]) == 0
    assert "removed 1 cached file" in capsys.readouterr().out
    assert (tmp_path / "notes.txt").exists()


def test_rerender_with_unchanged_inputs_comes_from_the_page_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "saliency.interp"
    spec.write_text((SPECS / "saliency.interp").read_text())
    out = tmp_path / "page.html"
    args = ["render", str(spec), "-o", str(out), "--quality", "draft", "--device", "cpu"]
    assert main(args) == 0
    first = out.read_bytes()
    out.unlink()
    assert main(args) == 0
    assert "from the cache" in capsys.readouterr().out
    assert out.read_bytes() == first
    spec.write_text(spec.read_text().replace("top(5)", "top(4)"))
    assert main(args) == 0
    assert "from the cache" not in capsys.readouterr().out
    assert out.read_bytes() != first
