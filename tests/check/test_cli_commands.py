"""The CLI's other commands (layers, plan, cache, render) and its conventions."""

import errno
import os
import re
import sys
from pathlib import Path

import pytest

from interp.cli import main
from interp.errors import describe_exception

SPECS = Path(__file__).resolve().parents[2] / "specs"


def test_layers_lists_shapes_and_signs(capsys):
    assert main(["layers", "efficientnet_lite0"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("blocks.4.2.bn1 "))
    assert "(672, 14, 14)" in line and "non-negative" in line
    assert "signed" in next(row for row in out.splitlines() if row.startswith("blocks.4.2 "))


def test_layers_says_which_layer_each_reads_directly(capsys):
    assert main(["layers", 'torchvision("resnet18", weights=random)']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "from"
    row = {line.split()[0]: line.split("  ")[-1].strip() for line in lines[1:]}
    assert row["layer1.0.conv2"] == "layer1.0.relu"  # the ReLU between bn1 and conv2, traced
    assert row["layer1.1.conv1"] == "layer1.0"  # the block's output, after its residual add
    assert row["layer1.0.bn1"] == "layer1.0.conv1" and row["conv1"] == "-"


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
    rows = tmp_path / "datasets" / "0123abcd"  # a dataset pass's Parquet rows go too
    rows.mkdir(parents=True)
    (rows / "chunk-00000.parquet").write_bytes(b"PAR1")
    (rows / "mine.parquet").write_bytes(b"PAR1")
    assert main(["cache", "clear"]) == 0
    assert "removed 2 cached file" in capsys.readouterr().out
    assert (tmp_path / "notes.txt").exists() and (rows / "mine.parquet").exists()


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
    for entry in (tmp_path / "cache").glob("??/*"):  # every entry damaged: all misses
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    assert main(args) == 0
    assert "from the cache" not in capsys.readouterr().out
    assert out.read_bytes() == first
    spec.write_text(spec.read_text().replace("top(5)", "top(4)"))
    assert main(args) == 0
    assert "from the cache" not in capsys.readouterr().out
    assert out.read_bytes() != first


# ---- conventions: diagnostics, exit 1, no traceback unless INTERP_DEBUG=1 ----------------

TWO = """interface a "First" {
  model efficientnet_lite0
  input sample("chelsea")

  element classes = activations(output) | top(3) as bars
}

interface b "Second" extends a {
  input sample("coffee")
}
"""


def never_run(monkeypatch):
    """Make any attempt to run the pipeline fail the test: errors must come first."""
    import interp.pipeline

    def refuse(*_args, **_kwargs):
        raise AssertionError("the pipeline ran before the error was reported")

    monkeypatch.setattr(interp.pipeline, "run", refuse)


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert re.fullmatch(r"interp \S+\n", capsys.readouterr().out)


def test_check_checks_every_file_past_failures(tmp_path, monkeypatch, capsys):
    check_module = sys.modules["interp.check"]  # `interp.check` is the function

    good = SPECS / "saliency.interp"
    crashing = tmp_path / "crash.interp"
    crashing.write_text(good.read_text())
    broken = tmp_path / "broken.interp"
    broken.write_text("interface x {\n  model efficientnet_lite0\n  element = \n}\n")
    real_check = check_module.check

    def check(spec, **kwargs):
        if "crash" in str(spec.interfaces[0].span):
            raise RuntimeError("boom")
        return real_check(spec, **kwargs)

    monkeypatch.setattr(check_module, "check", check)
    assert main(["check", "--static", str(good), str(crashing), str(broken), str(good)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{good}: ok", f"{good}: ok"]
    assert "error: internal error: RuntimeError: boom" in err
    assert "INTERP_DEBUG=1" in err
    assert f"{broken}:3:" in err and "Traceback" not in err


def test_interp_debug_shows_the_traceback(monkeypatch, capsys):
    def check(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sys.modules["interp.check"], "check", check)
    monkeypatch.setenv("INTERP_DEBUG", "1")
    assert main(["check", "--static", str(SPECS / "saliency.interp")]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err


@pytest.mark.parametrize("budget", ["nan", "-3", "0", "soon"])
def test_a_budget_that_is_not_one_is_refused(budget, monkeypatch, capsys):
    never_run(monkeypatch)
    with pytest.raises(SystemExit) as exited:
        main(["render", str(SPECS / "saliency.interp"), "--budget", budget])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"error: argument --budget: {budget!r} is not a budget" in err
    assert "hint:" in err and "Traceback" not in err


def test_a_bad_budget_in_the_environment_is_refused(monkeypatch, capsys, tmp_path):
    never_run(monkeypatch)
    monkeypatch.setenv("INTERP_BUDGET_S", "nan")
    assert main(["render", str(SPECS / "saliency.interp"), "-o", str(tmp_path / "p.html")]) == 1
    assert "error: $INTERP_BUDGET_S is 'nan', not a budget" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    never_run(monkeypatch)
    spec = str(SPECS / "saliency.interp")
    assert main(["render", spec, "-o", str(tmp_path), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert f"error: the output {tmp_path} is a folder" in err
    assert f"hint: name the file to write, e.g. {tmp_path / 'page.html'}" in err
    (tmp_path / "file").write_text("")
    assert main(["render", spec, "-o", str(tmp_path / "file" / "page.html"), "--no-cache"]) == 1
    assert f"{tmp_path / 'file'} is a file, not a folder" in capsys.readouterr().err
    (tmp_path / "page.png").mkdir()
    assert main(["render", spec, "-o", str(tmp_path / "page.html"), "--png", "--no-cache"]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "page.png"]
    copy = tmp_path / "saliency.interp"
    copy.write_text((SPECS / "saliency.interp").read_text())
    assert main(["render", str(copy), "-o", str(copy), "--no-cache"]) == 1
    assert "is one of this run's inputs" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_refused(tmp_path, monkeypatch, capsys):
    never_run(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code = main(["render", str(SPECS / "saliency.interp"), "-o", str(locked / "p.html")])
    assert code == 1
    assert f"error: cannot write {locked / 'p.html'}" in capsys.readouterr().err


@pytest.mark.parametrize("device", ["foo", "cuda"])
def test_a_device_this_machine_lacks_is_refused_with_the_ones_it_has(
    device, tmp_path, monkeypatch, capsys
):
    import torch

    if device == "cuda" and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    never_run(monkeypatch)
    out = tmp_path / "page.html"
    assert main(["render", str(SPECS / "saliency.interp"), "-o", str(out), "--device", device]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"device {device!r}" in err
    assert "hint: devices here: cpu" in err and "Traceback" not in err
    assert not out.exists()


def test_environment_errors_read_as_diagnostics():
    full = OSError(errno.ENOSPC, "No space left on device", "/out/page.html")
    assert describe_exception(full) == (
        "error: No space left on device: /out/page.html\n"
        "  hint: the disk is full: free some space (`interp cache clear` frees the cache)"
    )
    assert describe_exception(MemoryError()).startswith("error: out of memory\n  hint:")
    bug = describe_exception(KeyError("x"))
    assert bug.startswith("error: internal error: KeyError: 'x'") and "report it" in bug


def test_render_writes_every_interface_and_reports_sizes(tmp_path, capsys):
    spec = tmp_path / "two.interp"
    spec.write_text(TWO)
    out = tmp_path / "out" / "pages.html"
    args = ["render", str(spec), "-o", str(out), "--quality", "draft", "--device", "cpu"]
    assert main([*args, "--json", "--no-cache"]) == 0
    written = capsys.readouterr().out.splitlines()
    names = ["pages-a.html", "pages-a.vl.json", "pages-b.html", "pages-b.vl.json"]
    assert [re.sub(r" \(.*\)$", "", line) for line in written] == [
        f"wrote {out.parent / name}" for name in names
    ]
    sizes = [re.search(r" \(\d+(\.\d)? (MB|kB|bytes)(, (\d+) icons)?\)$", line) for line in written]
    assert all(sizes)  # a page also counts its icons (bars draw none); its JSON does not
    assert [size.group(4) for size in sizes] == ["0", None, "0", None]
    assert sorted(p.name for p in out.parent.iterdir()) == names
    assert "<title>First" in (out.parent / "pages-a.html").read_text()
    assert "<title>Second" in (out.parent / "pages-b.html").read_text()

    assert main([*args, "--interface", "b", "--no-cache"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (")
    assert "<title>Second" in out.read_text()


def test_compare_renders_only_a_comparison_and_says_so(capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    assert "side by side on shared scales" in " ".join(capsys.readouterr().out.split())
    output = tmp_path / "t.html"
    assert main(["compare", str(SPECS / "teaser.interp"), "-o", str(output)]) == 1
    err = capsys.readouterr().err
    assert "has no `compare` statement" in err and "interp render" in err
    assert not output.exists()


def test_the_command_line_skips_the_iri_validator_and_still_validates_charts():
    """jsonschema's optional `rfc3987_syntax` costs two seconds at import; the CLI never
    needs it (no Vega-Lite schema uses the "iri" format), and charts still validate."""
    import subprocess

    code = (
        "import sys; from interp import cli; cli._skip_unused_validators()\n"
        "import altair as alt, jsonschema\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "alt.Chart(alt.Data(values=[{'a': 1}])).mark_bar().encode(x='a:Q').to_dict()\n"
        "try:\n"
        "    alt.Chart(alt.Data(values=[])).mark_bar().encode(x=alt.X('a:Q', bin='x')).to_dict()\n"
        "except Exception as e:\n"
        "    print('refused', type(e).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "refused" in done.stdout  # validation is still on
