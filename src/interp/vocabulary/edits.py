"""The edits of an edited model (`model M with ablate(...), steer(...)`), declared once:
their signatures and what each does, in words. `interp.check.edits` binds them,
`interp.models.edits` runs them; nothing here knows torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.vocabulary.signatures import Param, Signature

ATOMS = Param("atoms", "substrate", required=True, positional=True)
ABLATE_TO = ("zero", "mean", "input")  # `to=` of ablate (and of the ablation content)


@dataclass(frozen=True)
class EditWord:
    """One edit: its signature and its definition (shown by `interp check` hints and docs)."""

    signature: Signature
    definition: str


EDITS: dict[str, EditWord] = {
    "ablate": EditWord(
        Signature(
            "ablate",
            (ATOMS, Param("to", "substrate")),
            'ablate(layer("blocks.4.2.bn1").channels[222, 141], to=mean)',
        ),
        "sets the channels to zero (default), to=mean (each channel's mean over the input's "
        "positions), to=mean(over=pics) (its mean over a dataset, measured on the unedited "
        'model) or to=input("other.jpg") (that image\'s activations: activation patching)',
    ),
    "steer": EditWord(
        Signature(
            "steer",
            (ATOMS, Param("by", "substrate", required=True)),
            'steer(layer("blocks.4.2.bn1").channels[222], by=3.0)',
        ),
        "adds by × the channel's own scale: its standard deviation over the input's positions",
    ),
    "clamp": EditWord(
        Signature(
            "clamp",
            (ATOMS, Param("min", "substrate"), Param("max", "substrate")),
            'clamp(layer("blocks.4.2.bn1").channels[222], min=0, max=1)',
        ),
        "limits the channels to [min, max] (either bound may be left out)",
    ),
}
