"""The failure type shared by the Debian lock modules."""

from __future__ import annotations


class LockError(Exception):
    """An expected failure, reported as one message without a traceback."""
