"""Attribution between the atoms of two substrates: one batched utility, one class per method.

- `core`: `attribute(model, image, source, target, method=...)`, batched VJPs or
  JVPs (whichever needs fewer products), and `gradient`, the bare gradient;
- `units`, `modes`, `elementwise`, `maxpool`: the machinery under it;
- one module per method (`linear`, `integrated_gradients`, `grad_cam`), each a
  small class saying where gradients are taken and how they combine, keyed by
  its declaration in `interp.vocabulary.methods` (the checker and the planner
  read the declarations, never this package); `methods` maps declared names to
  the classes;
- `kernel`: the plan node `Attribute` run on that utility.
"""
