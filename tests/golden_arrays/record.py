"""Record (or compare) every contract spec's element arrays: the refactoring's safety net.

    python tests/golden_arrays/record.py        # rewrite the golden files (review the diff!)

Each spec gives `NAME.npz` (values, by `interface/element`) and `NAME.json`
(dims and coordinates). `load(name)` reads them back as xarray DataArrays.
"""

from __future__ import annotations

import gzip
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import xarray as xr

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))


@contextmanager
def one_thread():
    """Run torch on one thread: float32 reductions differ in the last bits across thread counts."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _coords(array: xr.DataArray) -> dict:
    return {d: array.coords[d].values.tolist() for d in array.dims if d in array.coords}


def save(name: str, arrays: dict[str, xr.DataArray]) -> None:
    np.savez_compressed(HERE / f"{name}.npz", **{k: a.values for k, a in arrays.items()})
    meta = {k: {"dims": list(a.dims), "coords": _coords(a)} for k, a in arrays.items()}
    (HERE / f"{name}.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


def load(name: str) -> dict[str, xr.DataArray]:
    meta = json.loads((HERE / f"{name}.json").read_text())
    with np.load(HERE / f"{name}.npz") as values:
        return {
            k: xr.DataArray(values[k], dims=m["dims"], coords=m["coords"]) for k, m in meta.items()
        }


def tables_of(result) -> dict[str, list[dict]]:
    """Every element's view table, images left out, keyed `interface/element`."""
    found = {}
    for page in result.pages:
        for view in page.elements:
            table = view.table[[c for c in view.table.columns if "icon" not in c]]
            found[f"{page.name}/{view.name}"] = json.loads(table.to_json(orient="records"))
    return found


def save_tables(name: str, tables: dict[str, list[dict]]) -> None:
    text = json.dumps(tables, indent=0, sort_keys=True) + "\n"
    (HERE / f"{name}.views.json.gz").write_bytes(gzip.compress(text.encode(), mtime=0))


def load_tables(name: str) -> dict[str, list[dict]]:
    return json.loads(gzip.decompress((HERE / f"{name}.views.json.gz").read_bytes()))


def arrays_of(result) -> dict[str, xr.DataArray]:
    """Every element array of a run, keyed `interface/element`."""
    found = {}
    for page in result.pages:
        for view in page.elements:
            found[f"{page.name}/{view.name}"] = result.array(view.name, page.name)
    return found


if __name__ == "__main__":
    from gallery import CONTRACT, spec_path

    from interp.pipeline import run

    options = dict(quality="draft", progress=False, icon_size=32, icon_steps=2, device="cpu")
    for name in CONTRACT:
        with one_thread():
            result = run(spec_path(name), **options)
        save(name, arrays_of(result))
        save_tables(name, tables_of(result))
        print("recorded", name)
