"""imagestats: image statistics on the NumPy 2.x stack (Python 3.13)."""
