"""Bound program → plan: a DAG of span-free, hashable nodes, merged by equality; its cost."""
