"""Comparing interface designs: the same elements across interfaces, measured."""
