"""The embedding service: ``app.main:app``, run by ``python3 -m app.server``."""
