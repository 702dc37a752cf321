"""Inputs: images (and, later, datasets) as the model sees them."""
