"""Random valid ASTs print to text that parses back to the same AST, and printing is
idempotent: `parse(to_text(a)) == a` and `to_text(parse(to_text(a))) == to_text(a)`.

The strategies generate what the parser can produce: every kind of value
(strings with quotes, backslashes, control characters and unicode; ints and
floats; nested lists, calls and members), all statements, nested layouts,
`extends`, comparisons and comments wherever they attach.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interp import ast, parse, to_text

# Names from an alphabet that spells no keyword (`as`, `true`, `input`, ...) and none of
# the names the parser turns into other nodes (`output`, `layer(...)`, `activations(...)`);
# from_regex would be slow to draw from.
names = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from("abcXYZ_"),
    st.text(alphabet="abxz_09Q", max_size=5),
)
tricky = st.text(alphabet='"\\#\n\r\t\x00 aé✓\u2028\x85{}', max_size=8)
strings = st.one_of(tricky, st.text(st.characters(exclude_categories=("Cs",)), max_size=10))
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
)
comments = st.lists(
    st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12).map(
        lambda text: ("#" + text).rstrip()
    ),
    max_size=2,
).map(tuple)

leaves = st.one_of(
    names.map(lambda n: ast.Name(name=n)),
    strings.map(lambda s: ast.Str(value=s)),
    numbers.map(lambda x: ast.Num(value=x)),
    st.booleans().map(lambda b: ast.Bool(value=b)),
    st.just(ast.InputRef()),
    st.lists(strings, max_size=2).map(lambda labels: ast.OutputRef(labels=tuple(labels))),
    strings.map(lambda path: ast.LayerRef(path=path)),
    st.builds(lambda p, m: ast.LayerRef(path=p, model=ast.Name(name=m)), strings, names),
)


def arguments(values: st.SearchStrategy) -> st.SearchStrategy:
    arg = st.builds(ast.Arg, name=st.none() | names, value=values)
    return st.lists(arg, max_size=3).map(tuple)


def bracket_numbers(value: ast.Value) -> ast.Value:
    """`3.x` lexes as the number `3.`, so a member's base is never a bare number."""
    return ast.ListValue(items=(value,)) if isinstance(value, ast.Num) else value


def extend(children: st.SearchStrategy) -> st.SearchStrategy:
    arrow = st.builds(ast.Arrow, source=children, target=children)
    return st.one_of(
        st.lists(children, max_size=3).map(lambda items: ast.ListValue(items=tuple(items))),
        st.builds(ast.Call, name=names, args=arguments(children)),
        st.builds(
            ast.Member,
            base=children.map(bracket_numbers),
            name=names,
            args=st.none() | arguments(children),
        ),
        st.builds(
            lambda a, rest: ast.Call(name="attribution", args=(ast.Arg(value=a),) + rest),
            arrow,
            arguments(children),
        ),
    )


values = st.recursive(leaves, extend, max_leaves=4)
args = arguments(values)


def is_content_call(value: ast.Value) -> bool:
    return isinstance(value, ast.Call) and value.name in ("activations", "attribution")


contents = st.one_of(
    st.builds(ast.Activations, substrate=values),
    st.builds(ast.Attribution, source=values, target=values, options=args),
    st.builds(ast.SubstrateContent, substrate=values.filter(lambda v: not is_content_call(v))),
)
layouts = st.recursive(
    st.builds(
        ast.Layout, direction=names, items=st.lists(names, min_size=1, max_size=3).map(tuple)
    ),
    lambda inner: st.builds(
        ast.Layout,
        direction=names,
        items=st.lists(names | inner, min_size=1, max_size=3).map(tuple),
    ),
    max_leaves=5,
)
statements = st.one_of(
    st.builds(ast.ModelStmt, ref=values, comments=comments),
    st.builds(ast.InputStmt, ref=values, comments=comments),
    st.builds(ast.LetStmt, name=names, value=values, comments=comments),
    st.builds(
        ast.ElementStmt,
        name=names,
        content=contents,
        ops=st.lists(st.builds(ast.Operation, name=names, args=args), max_size=3).map(tuple),
        presentation=st.builds(ast.Presentation, name=names, args=args),
        comments=comments,
    ),
    st.builds(ast.LayoutStmt, layout=layouts, comments=comments),
)
interfaces = st.builds(
    ast.Interface,
    name=names,
    title=st.none() | strings,
    extends=st.none() | names,
    body=st.lists(statements, max_size=4).map(tuple),
    comments=comments,
    end_comments=comments,
)
compares = st.builds(
    ast.Compare, names=st.lists(names, min_size=2, max_size=3).map(tuple), comments=comments
)
specs = st.builds(
    ast.Spec,
    items=st.lists(interfaces | compares, max_size=2).map(tuple),
    end_comments=comments,
)


SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,  # no .hypothesis/ in the work tree; failures print their example
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(specs)
def test_text_round_trip(spec):
    text = to_text(spec)
    again = parse(text)
    assert again == spec
    assert again.comment_blocks() == spec.comment_blocks()
    assert to_text(again) == text


@SETTINGS
@given(values)
def test_value_round_trip(value):
    spec = ast.Spec(items=(ast.Interface(name="t", body=(ast.LetStmt(name="v", value=value),)),))
    assert parse(to_text(spec)) == spec
