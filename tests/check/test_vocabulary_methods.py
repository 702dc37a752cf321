"""The attribution methods are declared once (`interp.vocabulary.methods`), torch-free; the
checker binds `method=` against the declarations and execution keys a class by each."""

from __future__ import annotations

import subprocess
import sys

import pytest

from interp.check.contents import METHODS as CHECKED
from interp.check.problems import Problems
from interp.execute.attribution import methods as classes
from interp.execute.attribution.gradient import Gradient
from interp.syntax import parse
from interp.vocabulary import methods as declared

LIGHT = ("interp.vocabulary.methods", "interp.vocabulary.measures", "interp.vocabulary.families")


@pytest.mark.parametrize("module", LIGHT)
def test_declarations_import_no_torch_altair_or_pandas(module):
    code = (
        f"import sys, {module}\n"
        "print(' '.join(m for m in ('torch', 'altair', 'pandas') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == ""


def test_every_declared_method_has_one_class_and_no_other():
    assert sorted(classes.METHODS) == sorted(declared.METHODS)
    for name, cls in classes.METHODS.items():
        declaration = declared.METHODS[name]
        assert cls.declaration is declaration
        assert (cls.name, cls.describe, cls.single_point) == (
            declaration.name,
            declaration.describe,
            declaration.single_point,
        )
    assert "gradient" not in declared.METHODS  # not activation-weighted: no spec can name it
    assert (Gradient.name, Gradient.single_point) == ("gradient", True)


def test_the_checker_reads_the_declarations():
    assert CHECKED is declared.METHODS
    assert declared.DEFAULT == "linear" and "linear" in CHECKED


def test_defaults_come_from_the_declaration():
    ig = declared.INTEGRATED_GRADIENTS
    assert declared.method_of("integrated_gradients").arguments == ig.defaults
    assert declared.method_of("integrated_gradients", (("steps", 8),)).gradient_points == 8
    assert declared.method_of("integrated_gradients").gradient_points == 32
    assert declared.method_of("grad_cam").gradient_points == 1
    assert classes.method_of("integrated_gradients").steps == 32
    assert classes.method_of("integrated_gradients", (("steps", 4),)).steps == 4
    assert classes.method_of("linear") == classes.METHODS["linear"]()


def _method(text: str):
    """`check.contents._method` on `method=TEXT`, and the problems it reported."""
    from interp.check.contents import _method

    spec = parse(
        "interface a {\n"
        f"  element s = attribution(input.spatial -> output, method={text}) as heatmap(over=input)\n"
        "}\n"
    )
    (arg,) = spec.interfaces[0].elements[0].content.options
    problems = Problems()
    return _method(arg, problems), problems


def test_checker_binds_declared_methods_and_names_the_declared_ones_when_unknown():
    found, problems = _method("integrated_gradients(steps=8)")
    assert found is not None and (found.name, found.arguments) == (
        "integrated_gradients",
        (("steps", 8),),
    )
    assert _method("linear")[0].name == "linear"
    missing, problems = _method("linaer")
    assert missing is None
    assert "linear" in str(problems.items[0].hint)
