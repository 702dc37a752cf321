"""`interp plan`: print the plan a spec compiles to, and what it will cost, before running it."""

from __future__ import annotations

from interp.commands import read_spec


def plan_command(args) -> int:
    from interp.check import check
    from interp.execute.estimate import plan_estimate
    from interp.plan.build import build_plan
    from interp.plan.describe import as_json, describe
    from interp.plan.sizing import LayerFacts

    spec, source = read_spec(args.file)
    program = check(spec, source=source)
    plan = build_plan(program, quality=args.quality, facts=LayerFacts.of_models())
    if args.json:
        import json

        print(json.dumps(as_json(plan), indent=1))
        return 0
    print(describe(plan))
    print(plan_estimate(plan, args.quality).describe())
    return 0
