"""The vocabulary of the language, declared once and read downward by every stage.

Each word a spec can use is declared here, with no torch, no altair, no pandas:

- `signatures`: what a call accepts (`Param`, `Signature`), bound by the checker;
- `operations`: the operations a content is piped through;
- `contents`: contents declared as words of their own (`weights`: its axes, how `top` ranks it);
- `presentations`: each presentation (`heatmap`, `bars`, ...): its signature, the
  contents it accepts, the icons and plan values it needs, its flags;
- `methods`: the attribution methods (`linear`, `integrated_gradients`, `grad_cam`);
- `measures`: the interface metrics a comparison (or `metrics=True`) computes;
- `families`: the model families (built-ins, torchvision, timm): names, weights, and the
  libraries whose versions key cached pages.

The stages import from here and never the other way: syntax < vocabulary < check <
plan < execute < compare < render < pipeline/cli (tests/test_layers.py holds them to
it). A presentation's table lives in `execute/tables/`, its drawing in `render/`,
both found by its declared name.
"""
