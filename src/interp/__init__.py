"""interp: a compiler for interpretability interfaces.

    import interp
    spec = interp.load("specs/teaser.interp")      # text -> AST
    print(interp.to_text(spec))                     # AST -> canonical text
    result = interp.run(spec)                       # check, plan, execute
    interp.run(spec, models={"mine": interp.from_module(module, labels=..., mean=..., std=...)})
    from interp.syntax.builder import interface     # Python -> the same AST

`import interp` stays cheap: the parser, the AST and the static checker; torch
and the renderers load when a stage that needs them runs.

`interp.check` and `interp.run` are functions. The stage folders are
packages too (`interp.check.model_binding`, `interp.pipeline`); import their modules
by their full path.
"""

import os

# Idle OpenMP threads spin by default; on a busy machine that slows torch
# down tens of times. Set before torch loads, unless the user chose otherwise.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from interp.check import check  # noqa: E402  (binds the name `check` to the function)
from interp.errors import InterpError  # noqa: E402
from interp.syntax import ast, builder, load, parse, to_text  # noqa: E402


def variants(spec, *, element, interface=None, **dimension):
    """Interfaces that differ from one in a single dimension, and a `compare` of them:
    see `interp.compare.variants.variants`."""
    from interp.compare.variants import variants as make

    return make(spec, element=element, interface=interface, **dimension)


def run(spec, options=None, *, models=None, **kwargs):
    """Check, plan and execute a spec (an AST, `.interp` text, or a path): see `interp.pipeline.run`.

    `models={"mine": interp.from_module(module, labels=..., mean=..., std=...)}`
    binds the spec's `model mine` to any `nn.Module`. Results are cached on disk
    by content, as on the command line (`cache=None`: off). The `Result` displays
    as its interactive page in Jupyter; see `interp.result`.
    """
    from interp.pipeline import run as run_pipeline

    return run_pipeline(spec, options, models=models, **kwargs)


# ---- later stages: loaded on first use so `import interp` does not import torch -------
_LAZY = {
    "Cache": ("interp.cache", "Cache"),
    "Options": ("interp.options", "Options"),
    "from_module": ("interp.models.load", "from_module"),
    "render_page": ("interp.render", "render_page"),
    "Result": ("interp.result", "Result"),
    "write_outputs": ("interp.render", "write_outputs"),
}


def __getattr__(name: str):
    if name == "datasets":  # `interp.datasets.dataset(...)`: list and preview a dataset
        import importlib

        return importlib.import_module("interp.datasets")
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'interp' has no attribute {name!r}")


__all__ = [
    "InterpError",
    "ast",
    "builder",
    "check",
    "datasets",
    "load",
    "parse",
    "run",
    "to_text",
    "variants",
    *_LAZY,
]
