"""`interp fmt`: canonical text, in-place rewriting, `--check`, and errors as messages."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from gallery import CONTRACT, GALLERY

from interp import InterpError
from interp.syntax.fmt import check_formatted, fmt_main, format_text

REPO = Path(__file__).parents[2]
SPECS = GALLERY
NAMES = sorted(CONTRACT)
GOLDEN = Path(__file__).parent / "golden"

MESSY = """\
# a note that must survive
interface   t "T"{
model m
     input sample( "chelsea" )   # the cat
  let mid=layer("blocks.4.2.bn1")
  element e = activations(mid.channels)|top(3)   as bars
  # the end
}
"""
MESSY_CANONICAL = """\
# a note that must survive
interface t "T" {
  model m
  # the cat
  input sample("chelsea")

  let mid = layer("blocks.4.2.bn1")

  element e = activations(mid.channels) | top(3) as bars
  # the end
}
"""


@pytest.fixture
def specs(tmp_path) -> Path:
    for name in NAMES:
        shutil.copy(SPECS / f"{name}.interp", tmp_path / f"{name}.interp")
    return tmp_path


@pytest.mark.parametrize("name", NAMES)
def test_format_text_is_the_golden_text_and_idempotent(name):
    formatted = format_text((SPECS / f"{name}.interp").read_text(), name)
    assert formatted == (GOLDEN / f"{name}.interp").read_text()
    assert format_text(formatted) == formatted


def test_format_keeps_comments():
    assert format_text(MESSY) == MESSY_CANONICAL
    assert format_text(MESSY_CANONICAL) == MESSY_CANONICAL


def test_fmt_rewrites_then_check_accepts(specs, capsys):
    assert fmt_main([str(specs)], check=False) == 0
    for name in NAMES:
        path = specs / f"{name}.interp"
        assert path.read_text() == (GOLDEN / f"{name}.interp").read_text()
        assert check_formatted(path) == (True, "")
    capsys.readouterr()
    assert fmt_main([str(specs / f"{name}.interp") for name in NAMES], check=True) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    assert sorted(p.name for p in specs.iterdir()) == sorted(f"{n}.interp" for n in NAMES)


def test_check_reports_a_diff_and_leaves_the_file(tmp_path, capsys):
    path = tmp_path / "messy.interp"
    path.write_text(MESSY)
    assert fmt_main([str(path)], check=True) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"--- {path}\n+++ {path} (formatted)\n")
    assert '-interface   t "T"{\n' in out and '+interface t "T" {\n' in out
    assert f"would reformat {path}" in err
    assert path.read_text() == MESSY
    ok, diff = check_formatted(path)
    assert not ok and diff == out


def test_fmt_rewrites_in_place_keeping_permissions(tmp_path, capsys):
    path = tmp_path / "messy.interp"
    path.write_text(MESSY)
    os.chmod(path, 0o640)
    assert fmt_main([str(path)], check=False) == 0
    assert path.read_text() == MESSY_CANONICAL
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert f"reformatted {path}" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["messy.interp"]  # no temporary left


def test_parse_error_is_a_located_message(tmp_path, capsys):
    path = tmp_path / "broken.interp"
    broken = 'interface t {\n  input sample("chelsea)\n}\n'
    path.write_text(broken)
    for check in (True, False):
        assert fmt_main([str(path)], check=check) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith(f"{path}:2:16: error: unterminated string\n")
        assert "Traceback" not in err
    assert path.read_text() == broken
    with pytest.raises(InterpError):
        check_formatted(path)


def test_one_bad_file_does_not_stop_the_others(tmp_path, capsys):
    good = tmp_path / "good.interp"
    good.write_text(MESSY)
    assert fmt_main([str(tmp_path / "absent.interp"), str(good)], check=False) == 1
    assert "no such file" in capsys.readouterr().err
    assert good.read_text() == MESSY_CANONICAL


def test_fmt_keeps_a_valid_spec_valid_whatever_its_encoding_details(tmp_path):
    """A BOM, CRLF or CR line endings, an escaped lone surrogate, a tiny float: the
    formatted file is UTF-8 text that parses to the same spec."""
    from interp import load, parse

    text = 'interface t "caf\\u00e9 \\ud800" {\n  let v = f(1e-400, "\\udc00")  # note\n}\n'
    path = tmp_path / "odd.interp"
    for written in ("\ufeff" + text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        path.write_bytes(written.encode("utf-8"))
        assert fmt_main([str(path)]) == 0
        formatted = path.read_bytes().decode("utf-8")
        assert load(path) == parse(text)
        assert check_formatted(path) == (True, "")
        assert "\\ud800" in formatted and "\\udc00" in formatted
