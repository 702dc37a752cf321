"""`interp check` and `interp fmt`: is a spec valid, and is it written in canonical form."""

from __future__ import annotations

from interp.commands import read_spec, report


def check_command(args) -> int:
    """Check every file, even after one fails; 1 when any did."""
    from interp.check import check

    failed = False
    for file in args.files:
        try:
            spec, source = read_spec(file)
            check(spec, source=source, bind_models=not args.static)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            report(exc)
            failed = True
        else:
            print(f"{file}: ok")
    return 1 if failed else 0


def fmt_command(args) -> int:
    from interp.syntax.fmt import fmt_main

    return fmt_main(args.files, check=args.check)
