"""Label and annotation values that come from outside the rule's attributes.

- Stamping: `{{KEY}}` in a value is replaced by KEY from Bazel's workspace
  status (`bazel build --stamp`, `tools/workspace_status.sh`). Without
  stamping, or when KEY is absent, the entry is dropped, so an unstamped
  build stays reproducible and never carries a half-filled value.
- File digests: a label whose value is the sha256 of a file (the lock file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from oci.private.digests import file_digest
from rules_common import cli

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")


def read_status(path: str) -> dict[str, str]:
    """Parses a workspace status file: `KEY value` lines."""
    status: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.rstrip("\n").partition(" ")
                if key:
                    status[key] = value
    except OSError as e:
        raise cli.UserError(f"cannot read workspace status {path}: {e.strerror}") from e
    return status


def stamp(
    values: Mapping[str, str], status: Mapping[str, str] | None
) -> dict[str, str]:
    """Fills `{{KEY}}` placeholders; drops entries that keep one."""
    stamped: dict[str, str] = {}
    for key, value in values.items():
        keys = _PLACEHOLDER.findall(value)
        if not keys:
            stamped[key] = value
        elif status is not None and all(k in status for k in keys):
            stamped[key] = _PLACEHOLDER.sub(lambda m: status[m.group(1)], value)
    return stamped


def file_sha256_labels(args: list[str]) -> dict[str, str]:
    """`KEY=PATH` arguments -> {KEY: hex sha256 of PATH}."""
    labels: dict[str, str] = {}
    for arg in args:
        key, sep, path = arg.partition("=")
        if not sep or not key or not path:
            raise cli.UserError(f"--label-sha256 {arg!r}: expected KEY=PATH")
        try:
            digest, _ = file_digest(path)
        except OSError as e:
            raise cli.UserError(
                f"--label-sha256 {arg!r}: cannot read {path}: {e.strerror}"
            ) from e
        labels[key] = digest.removeprefix("sha256:")
    return labels
