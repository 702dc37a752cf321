"""Text to AST and back: the grammar, the parser, syntax diagnostics, the builder, `fmt`.

spec = parse(text, "teaser.interp")    # or load(path)
text = to_text(spec)                    # canonical text; parse(to_text(s)) == s
"""

from interp.syntax.parser import load, parse, to_text

__all__ = ["load", "parse", "to_text"]
