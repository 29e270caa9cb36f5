"""Repository tools (Python packages under tools/)."""
