"""Compatible factorization (`groups(k, compatible=G)`): split by attribution to G's groups, factorize, collapse."""

from __future__ import annotations

import numpy as np
import pytest

import interp
from interp.errors import InterpError
from interp.execute.context import Settings
from interp.execute.executors.local import LocalExecutor
from interp.plan.build import build_plan
from interp.plan.nodes import Factorize

SPEC = """
interface flows {{
  let upper = layer("blocks.4.2.bn1").groups({n})
  let lower = layer("blocks.3.2.bn1").groups(4{compatible})
  element flow = attribution(lower -> upper) as bars
}}
"""


def factors(n: int, compatible: bool):
    text = SPEC.format(n=n, compatible=", compatible=upper" if compatible else "")
    plan = build_plan(interp.check(interp.parse(text)), quality="draft")
    lower = next(f for f in plan.of(Factorize) if f.groups.layer == "blocks.3.2.bn1")
    return lower, LocalExecutor().run(plan, Settings(device="cpu", progress=False), [lower])[lower]


def test_one_later_group_leaves_nothing_to_split():
    """With a single later group every unit's whole activation goes to it: the widened
    matrix is the matrix itself, so compatible groups equal independent ones."""
    node, compatible = factors(1, compatible=True)
    assert node.later is not None and node.later.groups.k == 1
    _, independent = factors(1, compatible=False)
    np.testing.assert_allclose(compatible.directions, independent.directions, atol=1e-5)
    np.testing.assert_allclose(compatible.footprints, independent.footprints, rtol=1e-4, atol=1e-4)


def test_compatible_groups_still_factorize_the_layer():
    _, compatible = factors(5, compatible=True)
    assert compatible.directions.shape == (4, 480) and compatible.footprints.shape == (4, 14, 14)
    assert (compatible.footprints >= 0).all() and (compatible.directions >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(compatible.directions, axis=1), 1.0, rtol=1e-5)
    assert 0.5 < compatible.explained <= 1.0


def test_compatible_names_a_later_layers_groups():
    bad = """
interface flows {
  let upper = layer("blocks.4.2.bn1").groups(5)
  let lower = layer("blocks.3.2.bn1").groups(4, compatible=upper)
  let wrong = layer("blocks.5.3.bn1").groups(4, compatible=upper)
  element a = activations(lower) as bars
  element b = activations(wrong) as bars
}
"""
    with pytest.raises(InterpError, match="not later"):
        interp.check(interp.parse(bad))
    not_groups = bad.replace(
        "groups(4, compatible=upper)\n  let wrong",
        'groups(4, compatible=mid)\n  let mid = layer("x")\n  let wrong',
    )
    with pytest.raises(InterpError):
        interp.check(interp.parse(not_groups), bind_models=False)
