"""`interp space`: draw the design-space diagram of specs; no model is loaded."""

from __future__ import annotations

from pathlib import Path

from interp.commands import read_spec


def space_command(args) -> int:
    from interp.check import check
    from interp.compare.space import design_space
    from interp.files import check_writable
    from interp.render.space import write_space

    programs = {}
    for file in args.files:
        spec, source = read_spec(file)
        programs[file] = check(spec, source=source, bind_models=False)
    output = Path(args.output or Path(args.files[0]).with_suffix(".space.html").name)
    png = output.with_suffix(".png") if args.png else None
    for path in (output, png):
        if path is not None:
            check_writable(path, inputs=args.files)
    written = write_space(design_space(programs), output, png)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
