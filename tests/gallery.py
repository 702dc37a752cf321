"""Where the suite finds its specs: the project's own gallery, never `../shared`.

`CONTRACT` names the contract specs (copies of `../shared/specs`) the
gallery holds and the suite runs; `tests/test_conformance.py` is the only
test that reads `../shared/specs`, and compares them with these copies.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GALLERY = REPO / "specs"
SHARED = REPO.parent / "shared" / "specs"

CONTRACT = (
    "activation_grid",
    "channel_attribution",
    "group_flow",
    "neuron_groups",
    "sanity_check",
    "semantic_dictionary",
    "spatial_attribution",
    "teaser",
)


def spec_path(name: str) -> Path:
    return GALLERY / f"{name}.interp"
