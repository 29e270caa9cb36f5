"""Fill a template: substitutions, and under --stamp the stamped ones.

    python3 -m oci.private.expand_template --template F --out O \
        [--substitution FROM=TO ...] [--stamp-substitution FROM=TO ...] \
        [--stamp-info FILE ...]

Each substitution replaces every occurrence of FROM with TO, in the order
given. With `--stamp-info` (Bazel's stable and volatile status files, given
only under `--stamp`), each stamp substitution applies too, after `{{KEY}}`
in its TO is filled from the status (a KEY the status lacks is an error);
without, stamp substitutions are left out, so an unstamped build keeps the
template's own value and stays reproducible.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import stamping  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "expand_template"
MAX_BYTES = 16 << 20


def _pair(arg: str, flag: str) -> tuple[str, str]:
    old, sep, new = arg.partition("=")
    if not sep or not old:
        raise cli.UserError(f"{flag} {arg!r}: expected FROM=TO")
    return old, new


def expand(
    text: str,
    substitutions: Sequence[tuple[str, str]],
    stamp_substitutions: Sequence[tuple[str, str]],
    status: dict[str, str] | None,
) -> str:
    """The template with the substitutions (and, given a status, the stamped ones)."""
    pairs = list(substitutions)
    if status is not None:
        for old, new in stamp_substitutions:
            stamped = stamping.stamp({old: new}, status)
            if old not in stamped:
                raise cli.UserError(
                    f"stamp substitution {old!r} -> {new!r}: a key in it is not in "
                    "the workspace status"
                )
            pairs.append((old, stamped[old]))
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--substitution", action="append", default=[])
    parser.add_argument("--stamp-substitution", action="append", default=[])
    parser.add_argument("--stamp-info", action="append", default=[])
    parser.add_argument("--executable", action="store_true")
    args = parser.parse_args(argv)
    try:
        with open(args.template, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise cli.UserError(
            f"cannot read template {args.template}: {e.strerror}"
        ) from None
    if len(data) > MAX_BYTES:
        raise cli.UserError(f"template {args.template}: over {MAX_BYTES} bytes")
    status = None
    if args.stamp_info:
        status = {}
        for path in args.stamp_info:
            status.update(stamping.read_status(path))
    text = expand(
        data.decode("utf-8"),
        [_pair(a, "--substitution") for a in args.substitution],
        [_pair(a, "--stamp-substitution") for a in args.stamp_substitution],
        status,
    )
    atomic_file.write_text(args.out, text)
    if args.executable:
        os.chmod(args.out, 0o755)
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
