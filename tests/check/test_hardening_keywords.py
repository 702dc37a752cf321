"""One rule for keywords: a keyword given twice is a located error everywhere (issue 25).

Model references, `dataset(...)`, content options and `.groups(...)` read their
keywords by hand; each once kept the first or the last of two values silently.
"""

from __future__ import annotations

import pytest

import interp
from interp.check.models import parse_model_ref
from interp.errors import InterpError

HEAD = 'interface a {\n  input sample("chelsea")\n  let L = layer("blocks.4.2.bn1")\n'
PICS = "  let pics = dataset(samples(), crops=8)\n  let other = dataset(samples(), crops=4)\n"


def _only_diagnostic(text: str):
    with pytest.raises(InterpError) as caught:
        interp.check(interp.parse(text), bind_models=False)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic


@pytest.mark.parametrize(
    "line, message, second",
    [
        (
            "  model efficientnet_lite0(weights=random, seed=1, seed=2)\n",
            "efficientnet_lite0: seed given twice",
            "seed=2",
        ),
        (
            '  model torchvision("resnet18", weights=random, weights=random)\n',
            "torchvision: weights given twice",
            "weights=random)",
        ),
        (
            '  model timm("resnet18", weights=random, classes=10, classes=12)\n',
            "timm: classes given twice",
            "classes=12",
        ),
        (
            "  let twice = dataset(samples(), crops=8, crops=4)\n"
            "  element e = activations(L.spatial, over=twice) | top(3) as examples\n",
            "dataset: crops given twice",
            "crops=4",
        ),
        (
            PICS
            + "  element e = activations(L.spatial, over=pics, over=other) | top(3) as examples\n",
            "activations: over given twice",
            "over=other",
        ),
        (
            PICS + '  element e = attribution(L.channels -> output["tabby"], over=pics, '
            "over=other) | top(3) as examples\n",
            "attribution: over given twice",
            "over=other",
        ),
        (
            '  element e = attribution(L.channels -> output["tabby"], method=grad_cam, '
            "method=linear) as bars\n",
            "attribution: method given twice",
            "method=linear",
        ),
        (
            '  element e = attribution(input.spatial -> output, maxpool=relaxed, maxpool=default) | select(class="tabby") as heatmap(over=input)\n',
            "attribution: maxpool given twice",
            "maxpool=default",
        ),
        (
            PICS + "  element e = correlation(L.channels -> L.channels, over=pics, over=other) "
            "| top(2, per=source) as bars\n",
            "correlation: over given twice",
            "over=other",
        ),
        (
            "  element e = L.groups(3, of=activations, of=gradient) as bars\n",
            "groups: of given twice",
            "of=gradient",
        ),
    ],
)
def test_a_keyword_given_twice_is_an_error_at_its_second_occurrence(line, message, second):
    text = HEAD + line + "}\n"
    diagnostic = _only_diagnostic(text)
    assert diagnostic.message == message
    row = text.splitlines().index(next(r for r in text.splitlines() if second in r)) + 1
    assert (diagnostic.span.line, diagnostic.span.column) == (
        row,
        text.splitlines()[row - 1].index(second) + 1,
    )
    assert "once" in diagnostic.hint


def test_the_hint_names_the_line_of_the_first_when_it_is_elsewhere():
    text = HEAD + "  model efficientnet_lite0(\n    seed=1,\n    seed=2\n  )\n}\n"
    diagnostic = _only_diagnostic(text)
    assert diagnostic.message == "efficientnet_lite0: seed given twice"
    assert diagnostic.span.line == 6
    assert "line 5" in diagnostic.hint


def test_distinct_keywords_are_still_accepted():
    text = HEAD + (
        "  model efficientnet_lite0(weights=random, seed=1)\n"
        "  let pics = dataset(samples(), crops=8, seed=3)\n"
        "  element e = activations(L.spatial, over=pics) | top(3) as examples\n}\n"
    )
    interp.check(interp.parse(text), bind_models=False)


def test_a_model_reference_on_its_own_refuses_a_repeated_keyword_too():
    with pytest.raises(InterpError, match="efficientnet_lite0: seed given twice") as caught:
        parse_model_ref("efficientnet_lite0(seed=1, seed=2)")
    assert caught.value.diagnostics[0].span.column == len("efficientnet_lite0(seed=1, ") + 1
