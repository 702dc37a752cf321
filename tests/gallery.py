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
    "activation_atlas",
    "activation_grid",
    "channel_attribution",
    "dataset_examples",
    "group_flow",
    "model_alignment",
    "neuron_groups",
    "sanity_check",
    "semantic_dictionary",
    "spatial_attribution",
    "teaser",
)


def spec_path(name: str) -> Path:
    return GALLERY / f"{name}.interp"


# Contract specs that stream a dataset through the models: minutes of CPU each. Tests other
# than the golden arrays run them with `shared_cache()`, so each pass runs once a session.
OVER_DATASETS = ("activation_atlas", "dataset_examples", "model_alignment")


def shared_cache():
    """The session's cache (`tests/conftest.py`), shared by xdist's workers; None outside pytest."""
    import os

    from interp.cache import Cache

    folder = os.environ.get("INTERP_TEST_SHARED_CACHE")
    return Cache(folder) if folder else None
