"""Checker diagnostics: every malformed spec in `golden/` and its full rendered report.

Each `golden/NAME.interp` is a small spec with one kind of mistake (or several,
in `several_mistakes` and `bound_several`); `golden/NAME.txt` is what
`interp check` prints for it: `FILE:LINE:COL: error: message`, the source line
with a caret under the offending token, and a hint. Files named `bound_*` hold
mistakes only the model can reveal (layer paths, class labels, images, NMF
signs, weights files); the rest fail the static checks. Regenerate the `.txt`
files with `INTERP_UPDATE_GOLDEN=1 pytest tests/check` and read the diff.

The CLI tests at the end check that `interp check` turns the same mistakes
into exit code 1 and diagnostics on stderr, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gallery import spec_path

from interp.check import check
from interp.cli import main
from interp.errors import InterpError
from interp.syntax import parse

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.interp"))
UPDATE = os.environ.get("INTERP_UPDATE_GOLDEN") == "1"
CWD = "<cwd>"  # the working directory, where a hint names it


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty directory, so relative image and weights paths never exist."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def diagnose(name: str) -> InterpError:
    """Check golden/NAME.interp as `interp check` does; it must fail with diagnostics."""
    text = (GOLDEN / f"{name}.interp").read_text(encoding="utf-8")
    with pytest.raises(InterpError) as info:
        check(parse(text, f"{name}.interp"), source=text, device="cpu", bind_models=True)
    return info.value


def rendered(error: InterpError) -> str:
    return error.render().replace(os.getcwd(), CWD) + "\n"


def test_there_are_enough_cases():
    assert len(CASES) >= 30, CASES
    assert sum(name.startswith("bound_") for name in CASES) >= 6


def test_every_golden_report_has_its_spec():
    stale = sorted(
        p.name for p in GOLDEN.glob("*.txt") if not (GOLDEN / f"{p.stem}.interp").exists()
    )
    assert not stale, f"golden reports without a spec: {stale}"


@pytest.mark.parametrize("name", CASES)
def test_golden_diagnostics(name, in_tmp):
    actual = rendered(diagnose(name))
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}; run with INTERP_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_every_diagnostic_is_located_once_and_has_a_hint(name, in_tmp):
    error = diagnose(name)
    text = (GOLDEN / f"{name}.interp").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert error.diagnostics
    assert len(set(error.diagnostics)) == len(error.diagnostics), "a diagnostic is repeated"
    for diagnostic in error.diagnostics:
        span = diagnostic.span
        assert span is not None, diagnostic.message
        assert span.file == f"{name}.interp"
        assert 1 <= span.line <= len(lines)
        assert lines[span.line - 1][span.column - 1 :].strip(), "the caret points past the text"
        assert diagnostic.hint, diagnostic.message
        assert "Traceback" not in diagnostic.render(text)
    spans = [(d.span.line, d.span.column) for d in error.diagnostics]
    assert spans == sorted(spans), "diagnostics are reported in source order"


def test_several_static_mistakes_are_reported_in_one_run(in_tmp):
    error = diagnose("several_mistakes")
    messages = [d.message for d in error.diagnostics]
    assert [d.span.line for d in error.diagnostics] == [4, 5, 6, 7, 8, 11]
    assert messages == [
        "unknown atoms 'channel'",
        "top: k must be a positive integer, not 0",
        "select: no element named 'detectrs'",
        "unknown presentation 'barz'",
        "layout names 'wher', which is not an element",
        "compare: no interface named 'dmeo'",
    ]


def test_several_model_bound_mistakes_are_reported_in_one_run(in_tmp):
    error = diagnose("bound_several")
    assert [d.span.line for d in error.diagnostics] == [4, 5, 6, 7]
    assert [d.message.split(" ")[0] for d in error.diagnostics] == [
        "unknown",
        "model",
        "unknown",
        "NMF",
    ]


def test_a_missing_weights_file_does_not_hide_a_missing_image(in_tmp):
    messages = [d.message for d in diagnose("bound_image_and_weights").diagnostics]
    assert messages == ["no such weights file: nope.pth", "no such image file: no/such/cat.png"]


def test_did_you_mean_names_real_layers_and_classes(in_tmp):
    (layer,) = diagnose("bound_unknown_layer").diagnostics
    assert "'blocks.4.2.bn1'" in layer.hint
    (label,) = diagnose("bound_unknown_class").diagnostics
    assert "'Egyptian cat'" in label.hint
    (nmf,) = diagnose("bound_nmf_signed").diagnostics
    assert "'blocks.4.2.bn1'" in nmf.hint and "negative" in nmf.message


def test_the_caret_sits_under_the_offending_token(in_tmp):
    def marked(name: str) -> list[str]:
        text = (GOLDEN / f"{name}.interp").read_text(encoding="utf-8").split("\n")
        out = []
        for d in diagnose(name).diagnostics:
            line = text[d.span.line - 1]
            out.append(line[d.span.column - 1 : d.span.end_column - 1])
        return out

    assert marked("undefined_name") == ["midd"]
    assert marked("unknown_atoms") == ["channel"]
    assert marked("top_zero") == ["0"]
    assert marked("bad_choice") == ["sources"]
    assert marked("bad_keyword") == ["ovr"]
    assert marked("duplicate_element") == ["detectors"]
    assert marked("extends_missing") == ["bsae"]
    assert marked("layout_missing_element") == ["logit"]
    assert marked("compare_missing") == ["randomised"]
    assert marked("select_cycle") == ["detectors.hover"]
    assert marked("bound_unknown_class") == ['"egyptian cat"']
    assert marked("bound_groups_target2") == ['"tabbby"']


@pytest.mark.parametrize("name", CASES)
def test_diagnostics_read_the_same_without_the_source(name, in_tmp):
    """Spans know their text: `interp render` (which checks without `source`) marks
    exactly what `interp check` marks."""
    text = (GOLDEN / f"{name}.interp").read_text(encoding="utf-8")
    with pytest.raises(InterpError) as info:
        check(parse(text, f"{name}.interp"), device="cpu", bind_models=True)
    assert rendered(info.value) == rendered(diagnose(name))


@pytest.mark.parametrize(
    "name", ["undefined_name", "bound_select_channel_range", "bound_edit_channel_range"]
)
def test_running_a_spec_reports_what_checking_it_does(name, in_tmp):
    from interp import run

    with pytest.raises(InterpError) as info:
        run(GOLDEN / f"{name}.interp", device="cpu")
    assert info.value.render() == diagnose(name).render().replace(
        f"{name}.interp:", f"{GOLDEN / name}.interp:"
    )


def test_long_chains_of_extends_lets_and_selections_check_quickly():
    n = 2000
    chain = "interface i0 {\n  element e = activations(output) | top(3) as bars\n}\n" + "".join(
        f"interface i{k} extends i{k - 1} {{\n}}\n" for k in range(1, n)
    )
    lets = "interface t {\n  let a0 = output\n" + "".join(
        f"  let a{k} = a{k - 1}\n" for k in range(1, n)
    )
    lets += f"  element e = activations(a{n - 1}) | top(3) as bars\n}}\n"
    selections = 'interface s {\n  let mid = layer("blocks.4.2.bn1")\n' + "".join(
        f"  element e{k} = attribution(mid.channels -> output) | select(e{k - 1}.hover) as bars\n"
        for k in range(1, n)
    )  # each binds what the one before offers (a class, a channel, a class, ...) in reverse
    selections += "  element e0 = activations(output) | top(3) as bars\n}\n"
    cycle = chain.replace("interface i0 {", f"interface i0 extends i{n - 1} {{")
    for text, interfaces, elements in ((chain, n, 1), (lets, 1, 1), (selections, 1, n)):
        program = check(parse(text), bind_models=False)
        assert len(program.interfaces) == interfaces
        assert len(program.interfaces[-1].elements) == elements
    with pytest.raises(InterpError, match="extends cycle: i0 -> i1999 -> i1998"):
        check(parse(cycle), bind_models=False)


# ---- the command line ------------------------------------------------------------------


GOOD = spec_path("teaser")


def test_cli_check_accepts_a_good_file(capsys):
    assert main(["check", str(GOOD)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{GOOD}: ok"
    assert err == ""


def test_cli_check_reports_a_bad_file(capsys):
    bad = GOLDEN / "several_mistakes.interp"
    assert main(["check", "--static", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count(": error: ") == 6
    assert f"{bad}:4:39: error: unknown atoms 'channel'" in err
    assert "  hint: did you mean 'channels'?" in err
    assert "Traceback" not in err


def test_cli_check_reports_model_bound_mistakes(capsys, in_tmp):
    bad = GOLDEN / "bound_unknown_layer.interp"
    assert main(["check", str(GOOD), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == f"{GOOD}: ok"
    assert f"{bad}:4:35: error: model efficientnet_lite0 has no layer 'blocks.4.2.bn'" in err
    assert "Traceback" not in err


def test_cli_check_accepts_a_bom_and_crlf_line_endings(capsys, tmp_path):
    windows = tmp_path / "teaser.interp"
    windows.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["check", str(windows)]) == 0
    assert capsys.readouterr().out.strip() == f"{windows}: ok"


def test_cli_check_reports_a_missing_file(capsys, in_tmp):
    assert main(["check", "nothing.interp"]) == 1
    _, err = capsys.readouterr()
    assert "error: no such file: nothing.interp" in err
    assert "Traceback" not in err


def test_console_script_check_fails_with_diagnostics():
    script = Path(sys.executable).with_name("interp")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "interp.cli"]
    bad = GOLDEN / "undefined_name.interp"
    result = subprocess.run(
        [*command, "check", "--static", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert f"{bad}:3:35: error: undefined name 'midd'" in result.stderr
    assert "hint: did you mean 'mid'?" in result.stderr
    assert "Traceback" not in result.stderr
