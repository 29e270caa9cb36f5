"""Shared helpers of the rule sets' tools: errors, atomic outputs, progress."""
