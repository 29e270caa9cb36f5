"""Which spawns of a build ran where, from Bazel's execution log.

    tools/bazel run //tools/remote:exec_log -- LOG [--require-remote MNEMONIC]...

LOG is what `--execution_log_json_file=LOG` wrote (one JSON object per
spawn). Prints the count of spawns per runner ("remote", "remote cache hit",
"linux-sandbox", ...) and per mnemonic; with --require-remote (repeatable),
fails unless at least one spawn of each such mnemonic ran and every one ran
remotely (executed by a worker, not a cache hit and not here). CI uses it to
prove that `--config=remote` tests and image actions were executed by the
engine's worker.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from collections.abc import Iterator, Sequence

MAX_LOG_BYTES = 1 << 30


def spawns(text: str) -> Iterator[dict[str, object]]:
    """The log's JSON objects, in order (concatenated, whitespace between)."""
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        value, at = decoder.raw_decode(text, at)
        if not isinstance(value, dict):
            raise ValueError(
                f"expected a JSON object per spawn, got {type(value).__name__}"
            )
        yield value


def where(spawn: dict[str, object]) -> str:
    runner = str(spawn.get("runner", "unknown"))
    if spawn.get("remoteCacheHit"):
        return "remote cache hit"
    return runner


def summarize(
    entries: Sequence[dict[str, object]],
) -> collections.Counter[tuple[str, str]]:
    return collections.Counter((str(e.get("mnemonic", "?")), where(e)) for e in entries)


def check_remote(entries: Sequence[dict[str, object]], mnemonic: str) -> list[str]:
    """Problems (empty: every `mnemonic` spawn was executed remotely)."""
    mine = [e for e in entries if e.get("mnemonic") == mnemonic]
    if not mine:
        return [f"no {mnemonic} spawn in the log"]
    return [
        f"{e.get('targetLabel', '?')}: {mnemonic} ran as {where(e)!r}, not remotely"
        for e in mine
        if where(e) != "remote"
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log")
    parser.add_argument(
        "--require-remote", metavar="MNEMONIC", action="append", default=[]
    )
    args = parser.parse_args(argv)
    path = args.log
    base = os.environ.get("BUILD_WORKING_DIRECTORY")
    if base and not os.path.isabs(path):
        path = os.path.join(base, path)
    try:
        if os.path.getsize(path) > MAX_LOG_BYTES:
            print(f"exec_log: {path} is over {MAX_LOG_BYTES} bytes", file=sys.stderr)
            return 1
        with open(path, encoding="utf-8") as f:
            entries = list(spawns(f.read()))
    except (OSError, ValueError) as e:
        print(f"exec_log: cannot read {path}: {e}", file=sys.stderr)
        return 1
    for (mnemonic, runner), count in sorted(summarize(entries).items()):
        print(f"{count:6d}  {mnemonic:24s} {runner}")
    status = 0
    for mnemonic in args.require_remote:
        problems = check_remote(entries, mnemonic)
        for problem in problems:
            print(f"exec_log: {problem}", file=sys.stderr)
        if problems:
            status = 1
            continue
        remote = sum(1 for e in entries if e.get("mnemonic") == mnemonic)
        print(f"exec_log: all {remote} {mnemonic} spawns ran remotely")
    return status


if __name__ == "__main__":
    sys.exit(main())
