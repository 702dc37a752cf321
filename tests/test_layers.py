"""The stages read downward: no module imports from a stage above its own.

syntax < vocabulary < (models, data) < check < plan < execute < compare < render < the
entry points. Every import counts, inside functions too; only imports under
`if TYPE_CHECKING:` (type hints, never run) may point up.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "interp"

# The stages, lowest first; a module may import its own stage and any below it.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("errors", "keys", "files", "named", "cache", "options")),
    ("syntax", ("syntax",)),
    ("vocabulary", ("vocabulary",)),
    ("substrates", ("models", "data")),
    ("check", ("check",)),
    ("plan", ("plan",)),
    ("execute", ("execute",)),
    ("compare", ("compare",)),
    ("render", ("render",)),
    ("entry", ("pipeline", "result", "datasets", "commands", "cli", "__init__", "__main__")),
]
RANK = {part: rank for rank, (_, parts) in enumerate(STAGES) for part in parts}


def stage_of(module: str) -> int:
    parts = module.split(".")
    assert parts[0] == "interp", module
    top = parts[1] if len(parts) > 1 else "__init__"
    assert top in RANK, f"interp.{top} belongs to no stage: add it to STAGES"
    return RANK[top]


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name if name != "interp" else "interp.__init__", path


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path, module: str):
    tree = ast.parse(path.read_text())
    hints = _type_checking_lines(tree)
    package = module.rsplit(".", 1)[0] if not path.name == "__init__.py" else module
    for node in ast.walk(tree):
        if node.lineno in hints if hasattr(node, "lineno") else False:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
            yield node.lineno, [n for n in names if n.startswith("interp.") or n == "interp"]
        elif isinstance(node, ast.Import):
            yield node.lineno, [a.name for a in node.names if a.name.startswith("interp")]


def test_no_module_imports_from_a_stage_above_its_own():
    upward = []
    for module, path in _modules():
        own = stage_of(module)
        for line, targets in _imports(path, module):
            for target in targets[:1]:  # the module imported from
                if target in ("interp", "interp.__init__"):
                    continue
                if stage_of(target) > own:
                    upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}")
    assert not upward, "imports that point up the stages:\n" + "\n".join(upward)


@pytest.mark.parametrize("heavy", ["torch", "altair", "pandas"])
def test_a_static_check_loads_no_heavy_library(heavy):
    spec = PACKAGE.parents[1] / "specs" / "teaser.interp"
    code = (
        "import sys, interp\n"
        f"interp.check(interp.load({str(spec)!r}), bind_models=False)\n"
        f"print({heavy!r} in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"interp.check(bind_models=False) imported {heavy}"


def test_the_vocabulary_loads_no_heavy_library():
    code = (
        "import sys\n"
        "import interp.vocabulary.presentations, interp.vocabulary.operations\n"
        "print(sorted(m for m in ('torch', 'altair', 'pandas', 'xarray') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
