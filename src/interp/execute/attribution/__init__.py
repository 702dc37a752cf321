"""Attribution between the atoms of two substrates: one batched utility, one class per method.

- `core`: `attribute(model, image, source, target, method=...)`, batched VJPs or
  JVPs (whichever needs fewer products), and `gradient`, the bare gradient;
- `units`, `modes`, `elementwise`, `maxpool`: the machinery under it;
- one module per method (`linear`, `integrated_gradients`, `grad_cam`), each a
  small class saying where gradients are taken and how they combine; the
  `methods` registry names them for the checker (these modules import no torch);
- `kernel`: the plan node `Attribute` run on that utility.

This package's `__init__` imports nothing, so the static checker can read the
method registry without loading torch.
"""
