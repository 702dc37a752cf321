"""Models: which one a spec names (`spec`, no torch) and loading it (`load`)."""
