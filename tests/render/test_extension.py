"""A presentation is its declaration, its table and its drawing, and an attribution method its
declaration and its class: a module of its own, written outside the package, joins the
language without touching any other file."""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import numpy as np
import pytest
from tiny import tiny_model

import interp
from interp.errors import InterpError
from interp.syntax import parse

PLUGIN = '''
"""`as dots`: one dot per atom, its height the value."""

from interp.execute.attribution.method import AttributionMethod
from interp.execute.tables import Table
from interp.execute.tables.base import atom_columns, tidy
from interp.render import encoding, frames, marks, selection
from interp.render.drawing import Drawing
from interp.vocabulary.axes import free_atoms, names
from interp.vocabulary.methods import MethodDeclaration, declare
from interp.vocabulary.presentations import Presentation
from interp.vocabulary.signatures import Param, Signature

DOUBLED = declare(
    MethodDeclaration(
        "doubled_ext", Signature("doubled_ext", example="method=doubled_ext"), "twice linear"
    )
)


class Doubled(AttributionMethod):
    """Twice the activation times the gradient: easy to check against `linear`."""

    declaration = DOUBLED

    def multiplier(self, activation):
        return 2 * activation[0]


class Dots(Presentation):
    name = "dots_ext"
    signature = Signature("dots_ext", (Param("size", "int"),), "dots_ext(size=40)")

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if len(free_atoms(axes)) != 1:
            return "dots_ext draws one free atom axis", f"free axes: {names(free_atoms(axes))}"
        return None


class DotsTable(Table):
    name = "dots_ext"

    def table(self, element, array, atoms, icons, *reads):
        frame = atom_columns(tidy(array), element, prefer_layer=True)
        frame["rank"] = range(len(frame))
        return frame

    def reading(self, element):
        return "each dot: one atom, higher is stronger"


class DotsDrawing(Drawing):
    name = "dots_ext"

    def chart(self, view, ctx):
        table = frames.tidy(view)
        rows = ctx.dataset(ctx.name(view, "rows"), frames.records(table, ["atom", "value", "rank"]))
        size = int(view.options.get("size", 40))
        dots = encoding.encode(
            selection.base_chart(view, ctx, "dots", rows).mark_point(filled=True, size=size),
            x={"field": "rank", "type": "ordinal", "title": "atom"},
            y={"field": "value", "type": "quantitative"},
            tooltip=encoding.tooltip(table, view=view),
        )
        return marks.layered(view, ctx, [dots], 300, 160)
'''

SPEC = """
interface dots "Dots of a tiny model" {
  model tiny
  input sample("chelsea")
  element classes = activations(output) | top(3) as dots_ext(size=60)
}
"""


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plugin")
    path = folder / "dots_ext_plugin.py"
    path.write_text(textwrap.dedent(PLUGIN))
    spec = importlib.util.spec_from_file_location("dots_ext_plugin", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dots_ext_plugin"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("dots_ext_plugin", None)


def _models():
    model = tiny_model(labels=("cat", "dog", "cup"))
    return {"tiny": model}


def test_a_presentation_from_its_own_module_checks_runs_and_renders(plugin, tmp_path):
    result = interp.run(SPEC, models=_models(), options=interp.Options(cache=None))
    view = result.pages[0].elements[0]
    assert view.presentation == "dots_ext"
    assert list(view.table["rank"]) == [0, 1, 2]
    assert view.table["value"].is_monotonic_decreasing
    assert view.meta["reading"] == "each dot: one atom, higher is stronger"
    page = tmp_path / "dots.html"
    result.save(page)
    html = page.read_text()
    assert '"point"' in html and "Dots of a tiny model" in html


def test_its_signature_and_fit_give_located_errors(plugin):
    wrong = SPEC.replace("dots_ext(size=60)", "dots_ext(sise=60)")
    with pytest.raises(InterpError) as raised:
        interp.check(parse(wrong), models=_models())
    text = raised.value.render()
    assert "dots_ext: unknown argument 'sise'" in text and "did you mean 'size'?" in text
    two_axes = SPEC.replace(
        "activations(output) | top(3)", 'attribution(layer("0").channels -> output)'
    )
    with pytest.raises(InterpError) as raised:
        interp.check(parse(two_axes), models=_models())
    assert "dots_ext draws one free atom axis" in raised.value.render()


def test_an_attribution_method_from_its_own_module_runs(plugin):
    spec = """
interface m {
  model tiny
  input sample("chelsea")
  element linear = attribution(layer("0").channels -> output["dog"]) as bars
  element doubled = attribution(layer("0").channels -> output["dog"], method=doubled_ext)
                  as bars
}
"""
    result = interp.run(spec, models=_models(), options=interp.Options(cache=None))
    linear = result.data("linear").set_index("channel")["value"].sort_index()
    doubled = result.data("doubled").set_index("channel")["value"].sort_index()
    assert linear.abs().max() > 0
    np.testing.assert_allclose(doubled.to_numpy(), 2 * linear.to_numpy(), rtol=1e-5, atol=1e-7)
    page = result.pages[0].elements[1]
    assert "twice linear" in page.meta["describe"]
    typo = spec.replace("method=doubled_ext", "method=doubled_et")
    with pytest.raises(InterpError, match="did you mean 'doubled_ext'"):
        interp.check(parse(typo), models=_models())


def test_a_name_declared_twice_is_refused(plugin):
    from interp.vocabulary.presentations import Presentation
    from interp.vocabulary.signatures import Signature

    with pytest.raises(ValueError, match="declared twice"):
        type("Other", (Presentation,), {"name": "dots_ext", "signature": Signature("dots_ext")})
