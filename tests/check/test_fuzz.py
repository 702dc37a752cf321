"""Mutated contract specs never crash the front end.

Each example takes one of the gallery's contract specs and mutates it a few
times, by tokens (delete, duplicate, swap, replace with a token from any spec
or from a pool of troublesome ones: huge and non-finite numbers, bad escapes,
keywords, deep nesting, a BOM, CRLF) and by characters. Whatever comes out,
"parse → check → to_text → parse" must either stop at an InterpError whose
every diagnostic is located (a line and a column in the file) and renders, or
give an AST that prints and reads back as itself. Any other exception is a
bug. Most examples run the static checker; a few bind the model too.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from gallery import CONTRACT, spec_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interp import InterpError, load, parse, to_text
from interp.check import check, check_static

FILE = "fuzz.interp"
SPECS = {name: spec_path(name).read_text(encoding="utf-8") for name in sorted(CONTRACT)}
TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?'
    r"|->|\s+|."
)
TROUBLE = [
    "1e999", "-1e999", "nan", "inf", "9" * 5000, "-1", "0", "2.5", "99999", "1e308",
    '"\\q"', '"\\ud800"', '"\\u12"', '"', "\\", "\ufeff", "\r\n", "\r", "\t", "\x00",
    "(", ")", "[", "]", "{", "}", ",", ".", "=", "|", "->", "#",
    "as", "let", "element", "interface", "extends", "compare", "layout", "model", "input",
    "output", "true", "false", "layer", "activations", "attribution", "activation",
    "select(channel=9999)", "select(x=99, y=-1)", "select(class=[])", "select(class=3)",
    "reduce(pca, 3000)", "groups(500)", "groups(0)", "top(0)", "softmax",
    "method=integrated_gradients(steps=0)", "seed=18446744073709551616",
    "f(" * 60 + ")" * 60, "[" * 60 + "]" * 60, ".x" * 60,
]  # fmt: skip
POOL = sorted({t for text in SPECS.values() for t in TOKEN.findall(text) if t.strip()}) + TROUBLE
CHARS = list('"\\#(){}[],.=|->_ \n\r\t\x00\ufeff\u2028é✓0123456789aeEx') + ["\ud800"]


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@st.composite
def mutants(draw) -> str:
    """A contract spec, mutated one to four times by tokens or characters."""
    text = SPECS[draw(st.sampled_from(sorted(SPECS)))]
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            parts = tokens(text)
            at = draw(st.integers(0, len(parts) - 1))
            kind = draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "insert"]))
            if kind == "delete":
                del parts[at]
            elif kind == "duplicate":
                parts.insert(at, parts[at])
            elif kind == "swap" and at + 1 < len(parts):
                parts[at], parts[at + 1] = parts[at + 1], parts[at]
            elif kind == "replace":
                parts[at] = draw(st.sampled_from(POOL))
            else:
                parts.insert(at, draw(st.sampled_from(POOL)))
            text = "".join(parts)
        else:
            at = draw(st.integers(0, len(text)))
            kind = draw(st.sampled_from(["delete", "insert", "replace"]))
            char = draw(st.sampled_from(CHARS))
            if kind == "delete":
                text = text[:at] + text[at + 1 :]
            elif kind == "insert":
                text = text[:at] + char + text[at:]
            else:
                text = text[:at] + char + text[at + 1 :]
    return text


def assert_located(error: InterpError, text: str) -> None:
    assert error.diagnostics
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for diagnostic in error.diagnostics:
        span = diagnostic.span
        assert span is not None, diagnostic.message
        assert span.file == FILE
        assert 1 <= span.line <= len(lines), (diagnostic.message, span)
        assert span.column >= 1, (diagnostic.message, span)
        assert diagnostic.hint, diagnostic.message
    rendered = error.render()
    assert rendered.startswith(f"{FILE}:")
    assert "Traceback" not in rendered


def load_text(text: str):
    """`text` written to a file and loaded back, as `interp fmt` and `load` do."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE
        path.write_text(text, encoding="utf-8")
        return load(path)


def front_end(text: str, checker) -> None:
    try:
        spec = parse(text, FILE)
    except InterpError as error:
        assert_located(error, text)
        return
    printed = to_text(spec)
    again = parse(printed, FILE)
    assert again == spec
    assert to_text(again) == printed
    # whatever parses prints as text a file can hold, and reads back from it
    assert load_text(printed) == spec
    try:
        checker(spec)
    except InterpError as error:
        assert_located(error, text)


SETTINGS = dict(
    deadline=None,
    database=None,  # no .hypothesis/ in the work tree; failures print their example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(max_examples=500, **SETTINGS)
@given(mutants())
def test_mutated_specs_fail_with_located_errors_or_round_trip(text):
    front_end(text, check_static)


@settings(max_examples=30, **SETTINGS)
@given(mutants())
def test_mutated_specs_through_the_model_binding_checker(text):
    front_end(text, lambda spec: check(spec, device="cpu", bind_models=True))
