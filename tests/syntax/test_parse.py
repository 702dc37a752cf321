"""Parsing: the contract specs, canonical text, comments and syntax-error messages.

Golden files live in `golden/` (canonical text per contract spec) and
`golden/errors/` (a malformed input and its rendered diagnostic). Regenerate
them with `INTERP_UPDATE_GOLDEN=1 pytest tests/syntax` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gallery import CONTRACT, GALLERY

from interp import InterpError, ast, load, parse, to_text

REPO = Path(__file__).parents[2]
SPECS = GALLERY
NAMES = sorted(CONTRACT)
GOLDEN = Path(__file__).parent / "golden"
ERRORS = GOLDEN / "errors"
UPDATE = os.environ.get("INTERP_UPDATE_GOLDEN") == "1"


def assert_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with INTERP_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_contract_spec_round_trips(name):
    spec = load(SPECS / f"{name}.interp")
    text = to_text(spec)
    again = parse(text, f"{name}.interp")
    assert again == spec
    assert again.comment_blocks() == spec.comment_blocks()
    assert to_text(again) == text


@pytest.mark.parametrize("name", NAMES)
def test_contract_spec_canonical_text(name):
    assert_golden(GOLDEN / f"{name}.interp", to_text(load(SPECS / f"{name}.interp")))


def test_spans_locate_statements():
    spec = load(SPECS / "teaser.interp")
    teaser = spec.interfaces[0]
    detectors = teaser.elements[0]
    assert detectors.span.line == 12 and detectors.span.column == 3
    assert detectors.span.file.endswith("teaser.interp")
    assert detectors.content.source.span.line == 12


def test_teaser_ast():
    teaser = load(SPECS / "teaser.interp").interface("teaser")
    assert teaser.title == "Egyptian cat or tabby?"
    model, image, mid, cats, detectors, where = teaser.body
    assert model.ref == ast.Name(name="efficientnet_lite0")
    assert image.ref == ast.Call(name="sample", args=(ast.Arg(value=ast.Str(value="chelsea")),))
    assert mid.value == ast.LayerRef(path="blocks.4.2.bn1")
    assert cats.value == ast.OutputRef(labels=("Egyptian cat", "tabby"))
    assert detectors.content == ast.Attribution(
        source=ast.Member(base=ast.Name(name="mid"), name="channels"), target=ast.Name(name="cats")
    )
    assert detectors.ops == (
        ast.Operation(
            name="top",
            args=(
                ast.Arg(value=ast.Num(value=6)),
                ast.Arg(name="per", value=ast.Name(name="target")),
            ),
        ),
    )
    assert detectors.presentation.kwarg("bars").value == ast.Bool(value=True)
    assert where.presentation.kwarg("over").value == ast.InputRef()
    assert where.ops[0].positional[0].value == ast.Member(
        base=ast.Name(name="detectors"), name="hover"
    )


def test_extends_title_and_model_options():
    spec = load(SPECS / "sanity_check.interp")
    randomized = spec.interface("randomized")
    assert (randomized.title, randomized.extends) == ("Random weights", "trained")
    (model,) = randomized.body
    assert model.ref == ast.Call(
        name="efficientnet_lite0",
        args=(
            ast.Arg(name="weights", value=ast.Name(name="random")),
            ast.Arg(name="seed", value=ast.Num(value=0)),
        ),
    )
    assert spec.comparisons == (ast.Compare(names=("trained", "randomized")),)


def test_groups_member_with_keywords():
    groups = load(SPECS / "neuron_groups.interp").interfaces[0].body[2]
    assert groups.value == ast.Member(
        base=ast.LayerRef(path="blocks.4.2.bn1"),
        name="groups",
        args=(
            ast.Arg(value=ast.Num(value=6)),
            ast.Arg(name="factorize", value=ast.Name(name="nmf")),
            ast.Arg(name="of", value=ast.Name(name="activations")),
        ),
    )


def test_bare_substrate_content_and_operation_without_arguments():
    picker = load(SPECS / "semantic_dictionary.interp").interfaces[0].elements[0]
    assert picker.content == ast.SubstrateContent(substrate=ast.InputRef())
    classes = load(SPECS / "channel_attribution.interp").interfaces[0].elements[0]
    assert classes.ops[0] == ast.Operation(name="softmax")
    assert classes.presentation == ast.Presentation(name="bars")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", ast.Num(value=0)),
        ("-2", ast.Num(value=-2)),
        ("2.5", ast.Num(value=2.5)),
        (".5", ast.Num(value=0.5)),
        ("1e3", ast.Num(value=1000.0)),
        ("true", ast.Bool(value=True)),
        (
            '[1, x, "s"]',
            ast.ListValue(items=(ast.Num(value=1), ast.Name(name="x"), ast.Str(value="s"))),
        ),
        ('"a\\"b\\\\c\\n"', ast.Str(value='a"b\\c\n')),
        ('"tab\there"', ast.Str(value="tab\there")),
        ('"é ✓ \u2028 #"', ast.Str(value="é ✓ \u2028 #")),
        ("f()", ast.Call(name="f")),
        ("x.f()", ast.Member(base=ast.Name(name="x"), name="f", args=())),
        ("output", ast.OutputRef()),
        ("input.spatial", ast.Member(base=ast.InputRef(), name="spatial")),
    ],
)
def test_values(text, expected):
    spec = parse(f"interface t {{\n  let v = {text}\n}}\n")
    assert spec.interfaces[0].body[0].value == expected
    assert parse(to_text(spec)) == spec


COMMENTED = """\
# leading comment of the file
# second line
interface a "A" {  # on the header line
  # before model
  model m
  input "x.png"  # trailing on input

  element one = activations(output) as bars
  # between elements
  element two = activations(output)
              | top(3)  # inside a pipeline
              as bars
  # trailing comment at the end of the interface
}

# before compare
compare a, b  # on the compare line
# trailing comment at the end of the file
"""

COMMENTED_CANONICAL = """\
# leading comment of the file
# second line
interface a "A" {
  # on the header line
  # before model
  model m
  # trailing on input
  input "x.png"

  element one = activations(output) as bars

  # between elements
  # inside a pipeline
  element two = activations(output) | top(3) as bars
  # trailing comment at the end of the interface
}

# before compare
# on the compare line
compare a, b

# trailing comment at the end of the file
"""


def test_comments_attach_to_what_follows_and_survive_formatting():
    spec = parse(COMMENTED)
    a = spec.interfaces[0]
    assert a.comments == ("# leading comment of the file", "# second line")
    assert a.body[0].comments == ("# on the header line", "# before model")
    assert a.body[1].comments == ("# trailing on input",)
    assert a.body[3].comments == ("# between elements", "# inside a pipeline")
    assert a.end_comments == ("# trailing comment at the end of the interface",)
    assert spec.comparisons[0].comments == ("# before compare", "# on the compare line")
    assert spec.end_comments == ("# trailing comment at the end of the file",)
    text = to_text(spec)
    assert text == COMMENTED_CANONICAL
    again = parse(text)
    assert again == spec and again.comment_blocks() == spec.comment_blocks()
    assert to_text(again) == text


def test_hash_inside_strings_is_not_a_comment():
    text = 'interface t {\n  input "a\\"#b"\n  let x = f("#", "\\\\")  # real\n}\n'
    spec = parse(text)
    assert spec.interfaces[0].body[0].ref == ast.Str(value='a"#b')
    assert spec.interfaces[0].body[0].comments == ()
    assert spec.interfaces[0].body[1].comments == ("# real",)


def test_comments_only_and_empty_files():
    assert parse("") == ast.Spec()
    assert to_text(parse("# just a note\n")) == "# just a note\n"
    assert to_text(parse("interface t {\n  # nothing yet\n}\n")) == (
        "interface t {\n  # nothing yet\n}\n"
    )


def test_load_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(InterpError, match="no such file"):
        load(tmp_path / "absent.interp")


ERROR_CASES = sorted(p.stem for p in ERRORS.glob("*.interp"))


def test_there_are_enough_error_cases():
    assert len(ERROR_CASES) >= 12


@pytest.mark.parametrize("name", ERROR_CASES)
def test_syntax_error_message(name):
    text = (ERRORS / f"{name}.interp").read_text(encoding="utf-8")
    with pytest.raises(InterpError) as caught:
        parse(text, f"{name}.interp")
    rendered = caught.value.render()
    assert rendered.startswith(f"{name}.interp:")
    assert "hint: " in rendered
    for leaked in ("$END", "RPAR", "LSQB", "LBRACE", "VBAR", "COMMA", "_EXTENDS", "Token("):
        assert leaked not in rendered
    assert_golden(ERRORS / f"{name}.txt", rendered + "\n")
