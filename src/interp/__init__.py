"""interp: a compiler for interpretability interfaces.

    import interp
    spec = interp.load("specs/teaser.interp")      # text -> AST
    print(interp.to_text(spec))                     # AST -> canonical text
    from interp.builder import interface, layer     # Python -> the same AST

`import interp` stays cheap: the parser and the AST only; torch and the
renderers load when a stage that needs them runs.
"""

import os

# Idle OpenMP threads spin by default; on a busy machine that slows torch
# down tens of times. Set before torch loads, unless the user chose otherwise.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


from interp import builder
from interp.errors import InterpError
from interp.syntax import load, parse, to_text

# ---- later stages: loaded on first use so `import interp` does not import torch -------
_LAZY = {
    "check": ("interp.bind", "check"),
    "run": ("interp.run", "run"),
    "Options": ("interp.run", "Options"),
    "render_page": ("interp.render", "render_page"),
    "write_outputs": ("interp.render", "write_outputs"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'interp' has no attribute {name!r}")


__all__ = ["InterpError", "builder", "load", "parse", "to_text", *_LAZY]
