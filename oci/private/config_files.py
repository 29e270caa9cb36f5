"""The image config's values in rules_oci's file forms, read and checked.

rules_oci's `oci_image_rule` takes each of these as a file (its `oci_image`
macro writes the file when a BUILD file gives a list or a dict), so a genrule,
a stamped template or `expand_template` can make them:

- `cmd`, `entrypoint`: one item a line; empty lines are dropped and `%5Cn`
  in an item is a newline (the macro writes an item's newlines so);
- `env`, `labels`, `annotations`: `KEY=VALUE` a line, split at the first `=`;
- `exposed_ports`, `volumes`: items separated by commas;
- `created`: one RFC 3339 time.

`expand_env` gives env rules_oci's meaning: entries apply in the file's
order on top of the base image's env, each `$NAME` or `${NAME}` in a value is
the value NAME has at that point (the base's, or one set by an earlier line;
NAME may be digits, as in `$1`), an unset NAME is empty, and a key already
set keeps its place with the new value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rules_common import cli

NEWLINE_ESCAPE = "%5Cn"
_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)")
MAX_FILE_BYTES = 1 << 20


def read_bounded(path: str, what: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refused (naming it) when unreadable or over `limit`."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise cli.UserError(f"cannot read {what} {path}: {e.strerror}") from None
    if len(data) > limit:
        raise cli.UserError(f"{what} {path}: over {limit} bytes")
    return data


def _read(path: str, what: str) -> str:
    data = read_bounded(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise cli.UserError(f"{what} {path}: not UTF-8 ({e.reason})") from None


def read_lines(path: str, what: str) -> list[str]:
    """`cmd` / `entrypoint`: one item a line, `%5Cn` for a newline in one."""
    return [
        line.replace(NEWLINE_ESCAPE, "\n")
        for line in _read(path, what).split("\n")
        if line
    ]


def read_pair_list(path: str, what: str) -> list[tuple[str, str]]:
    """`KEY=VALUE` lines in order (a key may come twice); blank lines skipped."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(_read(path, what).splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise cli.UserError(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        pairs.append((key.strip(), value))
    return pairs


def read_pairs(path: str, what: str) -> dict[str, str]:
    """`labels` / `annotations`: `KEY=VALUE` lines; a later line wins."""
    return dict(read_pair_list(path, what))


def read_comma_list(path: str, what: str) -> list[str]:
    """`exposed_ports` / `volumes`: items separated by commas (or lines)."""
    text = _read(path, what).replace("\n", ",")
    return [item.strip() for item in text.split(",") if item.strip()]


def read_created(path: str) -> str:
    """The image's `created`, an RFC 3339 time written in a file (stamped, say)."""
    value = _read(path, "created").strip()
    if not value or not value[:4].isdigit() or "T" not in value:
        raise cli.UserError(f"{path}: {value!r} is not an RFC 3339 time")
    return value


def expand_env(base: Sequence[str], entries: Iterable[tuple[str, str]]) -> list[str]:
    """The config's `Env` after `entries` apply to the base's, as rules_oci."""
    env: dict[str, str] = {}
    for item in base:
        key, _, value = item.partition("=")
        env[key] = value
    for key, value in entries:
        env[key] = _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), value)
    return [f"{k}={v}" for k, v in env.items()]
