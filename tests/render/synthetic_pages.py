"""Synthetic-but-plausible ``PageView``s shaped like the executor's output for the specs.

Icons are small generated stripe patterns, the input a generated 224x224
picture; tables have the columns, key columns and sizes the real specs produce
(14x14 positions, top-k atoms per selection), so layout, filtering and page
size are exercised as they will be with real numbers.
"""

from __future__ import annotations

import base64
import functools
import io

import numpy as np
import pandas as pd
from PIL import Image

from interp.execute.views import ComparisonView, ElementView, PageView, Selection

GRID = (14, 14)
CLASSES = ["Egyptian cat", "tabby", "tiger cat", "lynx", "remote control"]


def png_url(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.clip(array * 255, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@functools.cache
def icon(seed: int, size: int = 32) -> str:
    """A stripe pattern standing in for a feature visualization."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size
    angle, frequency = rng.uniform(0, np.pi), rng.uniform(3, 9)
    wave = np.sin(2 * np.pi * frequency * (x * np.cos(angle) + y * np.sin(angle)))
    colour = rng.uniform(0.2, 1.0, size=3)
    return png_url(0.5 + 0.5 * wave[..., None] * colour[None, None, :])


@functools.lru_cache(maxsize=1)
def input_image() -> str:
    y, x = np.mgrid[0:224, 0:224] / 224
    picture = np.stack([0.55 + 0.3 * x, 0.45 + 0.2 * y, 0.35 + 0 * x], axis=-1)
    cat = ((x - 0.55) ** 2 + (y - 0.5) ** 2) < 0.08
    picture[cat] = [0.75, 0.6, 0.4]
    return png_url(picture)


def footprint(seed: int) -> np.ndarray:
    """A smooth non-negative (14, 14) activation map with a bump somewhere."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : GRID[0], 0 : GRID[1]]
    cy, cx = rng.uniform(2, 12, size=2)
    return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / rng.uniform(4, 12)) * rng.uniform(1, 5)


def words(describe: str, quantity: str, atom: str, **more) -> dict:
    """The words `execute.words` gives a view: what it shows, its value, its atoms' noun."""
    return {"describe": describe, "quantity": quantity, "offered": atom, "atom_noun": atom, **more}


LINEAR = "Attribution (activation × gradient) of "
FOOTPRINT = words(
    "Activations of the hovered channel of blocks.4.2.bn1 at each position",
    "activation",
    "position",
)


def cells(values: np.ndarray, **columns) -> pd.DataFrame:
    y, x = np.mgrid[0 : values.shape[0], 0 : values.shape[1]]
    return pd.DataFrame({"x": x.ravel(), "y": y.ravel(), "value": values.ravel(), **columns})


def teaser() -> PageView:
    rng = np.random.default_rng(0)
    rows = []
    for target in CLASSES[:2]:
        channels = rng.choice(384, size=6, replace=False)
        values = np.sort(rng.uniform(0.5, 3.0, size=6))[::-1]
        for channel, value in zip(channels, values, strict=True):
            rows.append(
                {
                    "atom": f"ch {channel}",
                    "value": value,
                    "series": target,
                    "icon": icon(int(channel)),
                    "key_detectors": str(channel),
                }
            )
    detectors = pd.DataFrame(rows)
    where = pd.concat(
        [
            cells(footprint(int(c)), atom=f"ch {c}", key_detectors=c)
            for c in detectors["key_detectors"].unique()
        ],
        ignore_index=True,
    )
    return PageView(
        name="teaser",
        title="Egyptian cat or tabby?",
        model="efficientnet_lite0",
        input='sample("chelsea")',
        elements=(
            ElementView(
                "detectors",
                "feature_vis",
                {"bars": True},
                detectors,
                offers=("hover",),
                meta=words(
                    LINEAR
                    + 'blocks.4.2.bn1 channels to "Egyptian cat" and "tabby", top 6 per class',
                    "attribution to the logit",
                    "channel",
                    series_noun="class",
                    reading="icon: what excites the channel most (feature visualization);"
                    " bar: attribution to the logit",
                ),
            ),
            ElementView(
                "where",
                "heatmap",
                {"over": "input"},
                where,
                depends_on=(Selection("detectors", "hover"),),
                meta={"grid": GRID, "image": input_image(), **FOOTPRINT},
            ),
        ),
    )


def channel_attribution() -> PageView:
    rng = np.random.default_rng(1)
    probabilities = np.array([0.8, 0.12, 0.05])
    classes = pd.DataFrame(
        {"atom": CLASSES[:3], "value": probabilities, "key_classes": CLASSES[:3]}
    )
    upper_rows, footprint_rows, lower_rows = [], [], []
    offered = set()
    for name in CLASSES[:3]:
        channels = rng.choice(384, size=8, replace=False)
        for channel, value in zip(channels, np.sort(rng.normal(1, 1, 8))[::-1], strict=True):
            upper_rows.append(
                {
                    "atom": f"ch {channel}",
                    "value": value,
                    "icon": icon(int(channel)),
                    "key_classes": name,
                    "key_upper": str(channel),
                }
            )
            offered.add(int(channel))
    for channel in sorted(offered):
        footprint_rows.append(
            cells(footprint(channel), atom=f"ch {channel}", key_upper=str(channel))
        )
        for lower, value in zip(
            rng.choice(240, 8, replace=False), np.sort(rng.normal(0.5, 1, 8))[::-1], strict=True
        ):
            lower_rows.append(
                {
                    "atom": f"ch {lower}",
                    "value": value,
                    "icon": icon(1000 + int(lower)),
                    "key_upper": str(channel),
                }
            )
    return PageView(
        name="channel_attribution",
        title="Which detectors build the decision?",
        model="efficientnet_lite0",
        input='sample("chelsea")',
        elements=(
            ElementView(
                "classes",
                "bars",
                {},
                classes,
                offers=("click",),
                meta=words(
                    "Probabilities of the classes (softmax of the logits), top 3",
                    "probability",
                    "class",
                ),
            ),
            ElementView(
                "upper",
                "feature_vis",
                {"bars": True},
                pd.DataFrame(upper_rows),
                depends_on=(Selection("classes", "click"),),
                offers=("hover", "click"),
                meta=words(
                    LINEAR + "blocks.4.2.bn1 channels to the clicked class, top 8",
                    "attribution to the logit",
                    "channel",
                ),
            ),
            ElementView(
                "footprint",
                "heatmap",
                {"over": "input"},
                pd.concat(footprint_rows, ignore_index=True),
                depends_on=(Selection("upper", "hover"),),
                meta={"grid": GRID, "image": input_image(), **FOOTPRINT},
            ),
            ElementView(
                "lower",
                "feature_vis",
                {"bars": True},
                pd.DataFrame(lower_rows),
                depends_on=(Selection("upper", "click"),),
                meta=words(
                    LINEAR + "blocks.3.2.bn1 channels to the clicked channel of blocks.4.2.bn1",
                    "attribution to the channel's activation",
                    "channel",
                ),
            ),
        ),
    )


def semantic_dictionary() -> PageView:
    rng = np.random.default_rng(2)
    picker = pd.DataFrame(
        [
            {"x": x, "y": y, "atom": f"(x {x}, y {y})", "key_picker": f"{x},{y}"}
            for y in range(GRID[0])
            for x in range(GRID[1])
        ]
    )
    rows = []
    for key in picker["key_picker"]:
        channels = rng.choice(40, size=8, replace=False)
        for channel, value in zip(channels, np.sort(rng.gamma(2, 1, 8))[::-1], strict=True):
            rows.append(
                {
                    "atom": f"ch {channel}",
                    "value": value,
                    "icon": icon(int(channel)),
                    "key_picker": key,
                }
            )
    return PageView(
        name="semantic_dictionary",
        title="What does the network see here?",
        model="efficientnet_lite0",
        input='sample("chelsea")',
        elements=(
            ElementView(
                "picker",
                "image",
                {"grid": "L.spatial"},
                picker,
                offers=("hover",),
                meta={
                    "grid": GRID,
                    "image": input_image(),
                    **words(
                        "The input image, divided into the positions of blocks.4.2.bn1",
                        "activation vector norm",
                        "position",
                    ),
                },
            ),
            ElementView(
                "dictionary",
                "feature_vis",
                {"bars": True},
                pd.DataFrame(rows),
                depends_on=(Selection("picker", "hover"),),
                meta=words(
                    "Activations of blocks.4.2.bn1 channels at the hovered position, top 8",
                    "activation",
                    "channel",
                ),
            ),
        ),
    )


def neuron_groups() -> PageView:
    rng = np.random.default_rng(3)
    groups = [f"group {i}" for i in range(6)]
    icons = pd.DataFrame(
        {
            "group": range(6),  # the executor keeps raw atom coordinates; ignored
            "atom": groups,
            "value": np.sort(rng.uniform(1, 10, 6))[::-1],
            "icon": [icon(500 + i) for i in range(6)],
        }
    )
    where = pd.concat(
        [cells(footprint(600 + i), atom=g) for i, g in enumerate(groups)], ignore_index=True
    )
    classes = pd.DataFrame(
        [
            {"series": g, "group": int(g[-1]), "atom": c, "value": rng.normal(1, 0.5)}
            for g in groups
            for c in rng.choice(CLASSES, 3, replace=False)
        ]
    )
    return PageView(
        name="neuron_groups",
        title="Six groups tell the story",
        model="efficientnet_lite0",
        input='sample("chelsea")',
        elements=(
            ElementView(
                "icons",
                "feature_vis",
                {"bars": True},
                icons,
                meta=words(
                    "Activations of the 6 NMF groups of blocks.4.2.bn1, summed over positions",
                    "activation",
                    "group",
                ),
            ),
            ElementView(
                "where",
                "heatmap",
                {"over": "input", "color": "atom"},
                where,
                meta={
                    "grid": GRID,
                    "image": input_image(),
                    **words(
                        "Activations of the 6 NMF groups of blocks.4.2.bn1 at each position",
                        "activation",
                        "group",
                    ),
                },
            ),
            ElementView(
                "classes",
                "bars",
                {},
                classes,
                meta=words(
                    LINEAR + "the 6 NMF groups of blocks.4.2.bn1 to the classes, top 3 per group",
                    "attribution to the logit",
                    "class",
                    series_noun="group",
                ),
            ),
        ),
        layout=("column", [("row", ["icons", "where"]), "classes"]),
    )


def spatial_attribution() -> PageView:
    rng = np.random.default_rng(4)
    magnitude = footprint(700) + 0.2
    rgb = rng.uniform(0, 1, size=(*GRID, 3))
    saliency = cells(
        magnitude,
        atom=[f"(x {x}, y {y})" for y in range(GRID[0]) for x in range(GRID[1])],
        magnitude=magnitude.ravel(),
        icon=[icon(800 + i % 40) for i in range(GRID[0] * GRID[1])],
        color=[
            "#{:02x}{:02x}{:02x}".format(*tuple(int(255 * c) for c in px))
            for px in rgb.reshape(-1, 3)
        ],
        key_saliency=[f"{x},{y}" for y in range(GRID[0]) for x in range(GRID[1])],
    )
    classes = pd.DataFrame(
        [
            {"atom": c, "value": v, "key_saliency": key}
            for key in saliency["key_saliency"]
            for c, v in zip(
                rng.choice(CLASSES, 5, replace=False),
                np.sort(rng.normal(0, 1, 5))[::-1],
                strict=True,
            )
        ]
    )
    feeders = pd.concat(
        [
            cells(footprint(900 + i) - 0.5, atom="attribution", key_saliency=key)
            for i, key in enumerate(saliency["key_saliency"])
        ],
        ignore_index=True,
    )
    return PageView(
        name="spatial_attribution",
        title="Which positions support which classes?",
        model="efficientnet_lite0",
        input='sample("chelsea")',
        elements=(
            ElementView(
                "saliency",
                "grid",
                {"size_by": "magnitude", "color": "value"},
                saliency,
                offers=("hover",),
                meta={
                    "grid": GRID,
                    "image": input_image(),  # as every view's: the input, drawn above the grid
                    "components": [
                        {"_swatch": "#e41a1c", "_text": "red: Egyptian cat, tabby, lynx"},
                        {"_swatch": "#2ca02c", "_text": "green: remote control, tiger cat, lynx"},
                        {"_swatch": "#1f5fd6", "_text": "blue: tabby, tiger cat, Egyptian cat"},
                    ],
                    **words(
                        LINEAR + "blocks.4.2.bn1 positions to the classes, reduced to 3 PCA"
                        " components",
                        "activation vector norm",
                        "position",
                    ),
                },
            ),
            ElementView(
                "classes",
                "bars",
                {},
                classes,
                depends_on=(Selection("saliency", "hover"),),
                meta=words(
                    LINEAR + "the hovered position of blocks.4.2.bn1 to the classes, top 5",
                    "attribution to the logit",
                    "class",
                ),
            ),
            ElementView(
                "feeders",
                "heatmap",
                {"over": "input"},
                feeders,
                depends_on=(Selection("saliency", "hover"),),
                meta={
                    "grid": GRID,
                    "image": input_image(),
                    **words(
                        LINEAR + "blocks.3.2.bn1 positions to the hovered position of"
                        " blocks.4.2.bn1",
                        "attribution to the position's activation",
                        "position",
                    ),
                },
            ),
        ),
    )


def group_flow() -> PageView:
    rng = np.random.default_rng(5)
    rows = [
        {
            "source": f"lower {i}",
            "target": f"upper {j}",
            "value": rng.normal(0.5, 1.0),
            "source_icon": icon(100 + i),
            "target_icon": icon(200 + j),
        }
        for i in range(5)
        for j in range(5)
    ]
    return PageView(
        name="group_flow",
        title="From parts to wholes",
        model="efficientnet_lite0",
        input='sample("chelsea")',
        elements=(
            ElementView(
                "flow",
                "sankey",
                {"icons": "feature_vis"},
                pd.DataFrame(rows),
                meta={
                    "sides": ["blocks.3.2.bn1 groups", "blocks.4.2.bn1 groups"],
                    **words(
                        LINEAR + "the 5 NMF groups of blocks.3.2.bn1 to the 5 NMF groups of"
                        " blocks.4.2.bn1",
                        "attribution to the group's activation",
                        "group",
                    ),
                },
            ),
        ),
    )


def comparison() -> ComparisonView:
    trained = teaser()
    randomized = PageView(
        name="randomized",
        title="Random weights",
        elements=trained.elements,
        model="efficientnet_lite0(weights=random, seed=0)",
        input=trained.input,
    )
    metrics = pd.DataFrame(
        {
            "interface": ["trained", "randomized"],
            "top-1 probability": [0.80, 0.002],
            "rank correlation": [1.0, 0.07],
        }
    ).set_index("interface")
    definitions = {
        "top-1 probability": "the probability of the top class",
        "rank correlation": "Spearman rank correlation with the trained interface",
    }
    return ComparisonView(pages=(trained, randomized), metrics=metrics, definitions=definitions)


PAGES = {
    "teaser": teaser,
    "channel_attribution": channel_attribution,
    "semantic_dictionary": semantic_dictionary,
    "neuron_groups": neuron_groups,
    "spatial_attribution": spatial_attribution,
    "group_flow": group_flow,
}
