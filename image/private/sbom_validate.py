"""An SBOM's independent validators: spdx-tools and cyclonedx-python-lib.

    python3 -m image.private.sbom_validate --spdx S.json --cyclonedx C.json

Both are pinned in third_party/dev_tools; neither is our code. Every
message they give is printed; exit 1 if any.
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

from rules_common import cli  # noqa: E402

PROG = "sbom_validate"
MAX_BYTES = 64 << 20


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        text = f.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        raise cli.UserError(f"{path}: over {MAX_BYTES} bytes")
    return text


def spdx_problems(path: str) -> list[str]:
    """What spdx-tools says is wrong with an SPDX 2.3 JSON document."""
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import (
        validate_full_spdx_document,
    )

    try:
        document = parse_file(path)
    except SPDXParsingError as e:
        return [f"spdx-tools cannot parse it: {m}" for m in e.get_messages()]
    return [
        f"spdx-tools: {m.validation_message}"
        for m in validate_full_spdx_document(document, spdx_version="SPDX-2.3")
    ]


def cyclonedx_problems(path: str) -> list[str]:
    """What cyclonedx-python-lib's strict validator says of a CycloneDX 1.6 JSON."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(_read(path))
    return [] if error is None else [f"cyclonedx-python-lib: {error}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--spdx", required=True)
    parser.add_argument("--cyclonedx", required=True)
    args = parser.parse_args(argv)
    problems = [f"{args.spdx}: {p}" for p in spdx_problems(args.spdx)]
    problems += [f"{args.cyclonedx}: {p}" for p in cyclonedx_problems(args.cyclonedx)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    cli.run(PROG, main)
