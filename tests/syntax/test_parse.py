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
from interp.syntax.limits import MAX_NESTING

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


# ---- what a user's editor may hand us ---------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_byte_order_mark_and_crlf_line_endings_are_accepted(name, tmp_path):
    text = (SPECS / f"{name}.interp").read_text(encoding="utf-8")
    plain = parse(text, f"{name}.interp")
    windows = "\ufeff" + text.replace("\n", "\r\n")
    assert parse(windows, f"{name}.interp") == plain
    path = tmp_path / f"{name}.interp"
    path.write_bytes(windows.encode("utf-8"))
    loaded = load(path)
    assert loaded == plain
    assert loaded.comment_blocks() == plain.comment_blocks()
    assert [s.span.line for i in loaded.interfaces for s in i.body] == [
        s.span.line for i in plain.interfaces for s in i.body
    ]


def test_a_lone_surrogate_in_the_text_is_refused_where_it_stands():
    with pytest.raises(InterpError) as caught:
        parse("interface t {\n  # note \ud800\n}\n", "t.interp")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 10)
    assert "surrogate" in diagnostic.message
    caught.value.render().encode("utf-8")  # the excerpt shows a replacement character


def test_an_escaped_surrogate_prints_as_an_escape():
    spec = parse('interface t "\\ud800" {\n  let v = ["\\udc00", "\\ud83d\\ude00"]\n}\n')
    assert spec.interfaces[0].title == "\ud800"
    text = to_text(spec)
    text.encode("utf-8")
    assert '"\\ud800"' in text and '"\\udc00"' in text and "😀" in text
    assert parse(text) == spec


# ---- numbers and strings that could not print back -----------------------------------------


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("1e999", "number too large"),
        ("-1e400", "number too large"),
        ("9" * 4301, "integer too long: 4301 digits"),
    ],
)
def test_numbers_that_cannot_round_trip_are_refused(number, says):
    with pytest.raises(InterpError) as caught:
        parse(f"interface t {{\n  let v = top({number})\n}}\n", "t.interp")
    (diagnostic,) = caught.value.diagnostics
    assert says in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 15)


def test_names_like_nan_are_names_and_tiny_floats_round_trip():
    spec = parse("interface t {\n  let v = f(nan, inf, 1e-400, 1e308)\n}\n")
    args = spec.interfaces[0].body[0].value.args
    assert [a.value for a in args[:2]] == [ast.Name(name="nan"), ast.Name(name="inf")]
    assert parse(to_text(spec)) == spec


@pytest.mark.parametrize(
    ("text", "escape"),
    [
        ('interface t {\n  let v = f("a\\qb")\n}\n', "\\q"),
        ('interface t {\n  input "\\u12"\n}\n', "\\u12"),
        ('interface t "C:\\x" {\n}\n', "\\x"),
        ('interface t {\n  let v = output["a\\ b"]\n}\n', "\\ "),
    ],
)
def test_a_bad_escape_is_located_in_any_string(text, escape):
    with pytest.raises(InterpError) as caught:
        parse(text, "t.interp")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == f"bad escape `{escape}` in string"
    marked = text.split("\n")[diagnostic.span.line - 1]
    assert marked[diagnostic.span.column - 1 : diagnostic.span.end_column - 1] == escape


# ---- nesting -----------------------------------------------------------------------------


def _nested(depth: int, shape: str) -> str:
    value = {
        "calls": "f(a=" * depth + "1" + ")" * depth,
        "lists": "[" * depth + "]" * depth,
        "members": "a" + ".b" * depth,
    }[shape]
    return f"interface t {{\n  let v = {value}\n  element e = activations(v) as bars\n}}\n"


@pytest.mark.parametrize("shape", ["calls", "lists", "members"])
def test_nesting_up_to_the_limit_works_in_every_stage(shape):
    from interp.check import check_static

    spec = parse(_nested(MAX_NESTING, shape))
    assert parse(to_text(spec)) == spec
    assert hash(spec) == hash(parse(to_text(spec)))
    with pytest.raises(InterpError):  # not a substrate; but a diagnostic, not a crash
        check_static(spec)


@pytest.mark.parametrize("shape", ["calls", "lists", "members"])
@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 500, 20_000])
def test_deeper_nesting_is_a_located_error(shape, depth):
    with pytest.raises(InterpError) as caught:
        parse(_nested(depth, shape), "t.interp")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("too deeply nested")
    assert diagnostic.span.line == 2


def test_deep_layouts_are_located_errors_too():
    text = "interface t {\n  layout " + "row(" * 300 + "a" + ")" * 300 + "\n}\n"
    with pytest.raises(InterpError, match="too deeply nested"):
        parse(text)


# ---- names carry their own spans -----------------------------------------------------------

SPANNED = """\
interface child "Title" extends base {
  let mid = layer("x").channels
  element e = attribution(mid -> output["tabby", "cat"], method=ig(steps=3)) | top(6) as bars
  layout row(e, column(e))
}
compare child, base
"""


def test_every_name_label_and_title_carries_its_span():
    spec = parse(SPANNED, "s.interp")
    lines = SPANNED.split("\n")

    def text(span):
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]

    child = spec.interfaces[0]
    assert [text(child.name_span), text(child.title_span), text(child.extends_span)] == [
        "child",
        '"Title"',
        "base",
    ]
    let, element, layout = child.body
    assert text(let.name_span) == "mid" and text(let.value.name_span) == "channels"
    assert text(element.name_span) == "e"
    target = element.content.target
    assert [text(s) for s in target.label_spans] == ['"tabby"', '"cat"']
    method = element.content.options[0]
    assert text(method.name_span) == "method" and text(method.value.name_span) == "ig"
    assert text(method.value.args[0].name_span) == "steps"
    assert text(element.ops[0].name_span) == "top"
    assert text(element.presentation.name_span) == "bars"
    assert text(layout.layout.direction_span) == "row"
    assert [text(s) for s in layout.layout.item_spans] == ["e", "column(e)"]
    assert [text(s) for s in spec.comparisons[0].name_spans] == ["child", "base"]
    assert child.span.text == SPANNED  # an excerpt needs no source passed along


def test_spans_take_no_part_in_equality():
    spec = parse(SPANNED)
    moved = parse("\n\n" + SPANNED.replace("  ", "    "))
    assert spec == moved and hash(spec) == hash(moved)
    assert spec.interfaces[0].name_span != moved.interfaces[0].name_span
