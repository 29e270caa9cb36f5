"""Assertions on built images and files, for tests (`//oci:testing.bzl`).

    python3 -m oci.private.image_assert config --layout DIR --expected JSON
    python3 -m oci.private.image_assert contains --file F --expected-file X
    python3 -m oci.private.image_assert json --file1 A --file2 B

`config` compares fields of the image's config with the expected JSON: each
top-level key (`os`, `architecture`, `variant`, `created`, `history`) with
the config's, and each key under `config` (`Cmd`, `Entrypoint`, `Env`,
`Labels`, ...) with the config's `config` object, where an absent field is
`null` (so `{"config": {"Cmd": null}}` asserts there is no Cmd), as
rules_oci's own example assertions compare them. Every difference is
reported, then it exits 1. `contains` checks that F holds X's bytes. `json`
checks that A and B hold the same stream of JSON values (jq writes one per
result), keys in any order, and prints a diff of them when they differ.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layout_reader  # noqa: E402
from oci.private.config_files import read_bounded  # noqa: E402
from rules_common import cli  # noqa: E402

PROG = "image_assert"
MAX_BYTES = 64 << 20


def config_differences(config: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """What differs between an image config and the expected fields."""
    problems = []
    inner = config.get("config") or {}
    for key, want in expected.items():
        if key == "config":
            if not isinstance(want, dict):
                raise cli.UserError("expected: 'config' must be an object")
            for field, value in want.items():
                got = inner.get(field)
                if got != value:
                    want_text, got_text = json.dumps(value), json.dumps(got)
                    problems.append(
                        f"config.{field}: expected {want_text}, got {got_text}"
                    )
        elif config.get(key) != want:
            problems.append(
                f"{key}: expected {json.dumps(want)}, got {json.dumps(config.get(key))}"
            )
    return problems


def json_values(data: bytes, path: str) -> list[Any]:
    """The JSON values of a stream (jq writes one per result), in order."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise cli.UserError(f"{path}: not UTF-8: {e}") from None
    decoder = json.JSONDecoder()
    values: list[Any] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return values
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as e:
            raise cli.UserError(f"{path}: not a stream of JSON values: {e}") from None
        values.append(value)


def json_differences(first: bytes, second: bytes, path1: str, path2: str) -> list[str]:
    """How two streams of JSON values differ, as lines; none when they match."""
    a, b = json_values(first, path1), json_values(second, path2)
    if a == b:
        return []
    canonical = [
        json.dumps(values, indent=2, sort_keys=True).splitlines() for values in (a, b)
    ]
    return list(difflib.unified_diff(*canonical, path1, path2, lineterm=""))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    config = sub.add_parser("config", help="compare an image's config fields")
    config.add_argument("--layout", required=True)
    config.add_argument("--expected", required=True, help="expected fields, JSON")
    config.add_argument("--platform", help="os/arch of an index's image")
    contains = sub.add_parser("contains", help="a file holds a text")
    contains.add_argument("--file", required=True)
    contains.add_argument("--expected-file", required=True)
    same = sub.add_parser("json", help="two files hold the same JSON values")
    same.add_argument("--file1", required=True)
    same.add_argument("--file2", required=True)
    args = parser.parse_args(argv)
    if args.command == "json":
        problems = json_differences(
            read_bounded(args.file1, "file1", MAX_BYTES),
            read_bounded(args.file2, "file2", MAX_BYTES),
            args.file1,
            args.file2,
        )
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    if args.command == "contains":
        wanted = read_bounded(args.expected_file, "expected", MAX_BYTES)
        if wanted in read_bounded(args.file, "file", MAX_BYTES):
            return 0
        print(
            f"{args.file} does not contain what {args.expected_file} holds",
            file=sys.stderr,
        )
        return 1
    try:
        expected = json.loads(read_bounded(args.expected, "expected", MAX_BYTES))
    except json.JSONDecodeError as e:
        raise cli.UserError(f"{args.expected}: not JSON: {e}") from None
    if not isinstance(expected, dict):
        raise cli.UserError(f"{args.expected}: expected a JSON object")
    image = layout_reader.read_image(args.layout, platform=args.platform)
    problems = config_differences(image.config, expected)
    for problem in problems:
        print(f"{args.layout}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    cli.run(PROG, main)
