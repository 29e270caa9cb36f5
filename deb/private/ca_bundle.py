"""Build the PEM CA bundle of a Debian root (a directory, or its `root.tar`).

`update-ca-certificates` never runs in a root made with `dpkg-deb -x`, so
`/etc/ssl/certs/ca-certificates.crt` is missing. This tool writes the file it
would have written for the stock configuration: every
`ROOT/usr/share/ca-certificates/mozilla/*.crt` (from the `certs` lock group,
i.e. the ca-certificates package), in byte order of file name, each followed by
a newline if it lacks one.

Each file must hold only PEM `CERTIFICATE` blocks (blank lines around them
allowed) whose base64 body decodes to a DER SEQUENCE; anything else is an
error naming the file. The output depends only on those files and is written
atomically (temp file in the same directory, then rename).

ROOT is an unpacked root or an uncompressed tar of one (what `debian.root`
delivers); in a tar, a `.crt` that is not a regular file is an error.

Usage:
    python3 deb/private/ca_bundle.py --root ROOT --out BUNDLE
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import sys
import tarfile
from collections.abc import Sequence

from rules_common import atomic_file
from rules_common.cli import UserError

MOZILLA_DIR = os.path.join("usr", "share", "ca-certificates", "mozilla")
CERT_SUFFIX = ".crt"
BEGIN = "-----BEGIN CERTIFICATE-----"
END = "-----END CERTIFICATE-----"


def cert_dir(root: str) -> str:
    return os.path.join(root, MOZILLA_DIR)


def list_certs(root: str) -> list[str]:
    """The `.crt` files of the root's mozilla dir, sorted by name in byte order."""
    directory = cert_dir(root)
    hint = (
        "the root must contain the `certs` group of the Debian lock "
        "(the ca-certificates package)"
    )
    try:
        entries = os.listdir(directory)
    except FileNotFoundError:
        raise UserError(f"{directory} does not exist: {hint}") from None
    except NotADirectoryError:
        raise UserError(f"{directory} is not a directory: {hint}") from None
    except OSError as e:
        raise UserError(f"cannot list {directory}: {e.strerror}") from None
    names = sorted(
        (name for name in entries if name.endswith(CERT_SUFFIX)), key=os.fsencode
    )
    if not names:
        raise UserError(f"{directory} has no *{CERT_SUFFIX} file: {hint}")
    return [os.path.join(directory, name) for name in names]


def read_tar_certs(tar_path: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of the `.crt` members of a root's tar mozilla dir, sorted."""
    prefix = MOZILLA_DIR.replace(os.sep, "/") + "/"
    found: dict[str, tuple[str, bytes]] = {}
    try:
        with tarfile.open(tar_path, "r:") as tar:
            for info in tar:
                rel = "/".join(p for p in info.name.split("/") if p not in ("", "."))
                if not rel.startswith(prefix) or "/" in rel[len(prefix) :]:
                    continue
                name = rel[len(prefix) :]
                if not name.endswith(CERT_SUFFIX):
                    continue
                where = f"{tar_path}:{rel}"
                if not info.isreg():
                    raise UserError(f"{where}: not a regular file in the tar")
                f = tar.extractfile(info)
                assert f is not None
                found[name] = (where, f.read())
    except (tarfile.TarError, OSError) as e:
        raise UserError(f"cannot read {tar_path} as a tar: {e}") from None
    if not found:
        raise UserError(
            f"{tar_path} has no {prefix}*{CERT_SUFFIX}: the root must contain the "
            "`certs` group of the Debian lock (the ca-certificates package)"
        )
    return [found[name] for name in sorted(found, key=os.fsencode)]


def read_certs(root: str) -> list[tuple[str, bytes]]:
    """(name for messages, bytes) of every certificate file, in bundle order."""
    if os.path.isfile(root):
        return read_tar_certs(root)
    certs = []
    for path in list_certs(root):
        try:
            with open(path, "rb") as f:
                certs.append((path, f.read()))
        except OSError as e:
            raise UserError(f"cannot read {path}: {e.strerror}") from None
    return certs


def check_pem(path: str, data: bytes) -> int:
    """Check that `data` is only PEM CERTIFICATE blocks; return how many."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not ASCII (byte {e.start})") from None
    count = 0
    body: list[str] | None = None  # lines of the open block, None outside one
    start = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if body is None:
            if line == BEGIN:
                body, start = [], lineno
            elif line:
                raise UserError(
                    f"{path}:{lineno}: expected {BEGIN!r} or a blank line, "
                    f"got {line[:60]!r}"
                )
            continue
        if line != END:
            body.append(line)
            continue
        encoded = "".join(body)
        try:
            der = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as e:
            raise UserError(
                f"{path}:{start}: certificate body is not valid base64 ({e})"
            ) from None
        if not der or der[0] != 0x30:
            raise UserError(f"{path}:{start}: certificate body is not a DER SEQUENCE")
        count += 1
        body = None
    if body is not None:
        raise UserError(f"{path}:{start}: {BEGIN!r} block has no {END!r} line")
    if count == 0:
        raise UserError(f"{path}: no {BEGIN!r} block")
    return count


def build_bundle(root: str) -> tuple[bytes, int]:
    """The bundle's bytes and the number of certificates in it."""
    parts: list[bytes] = []
    total = 0
    for path, data in read_certs(root):
        total += check_pem(path, data)
        # As update-ca-certificates (`sed -e '$a\'`): the file as is, plus a
        # newline if its last line has none.
        parts.append(data if data.endswith(b"\n") else data + b"\n")
    return b"".join(parts), total


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root",
        required=True,
        help=f"root (directory or .tar) that holds {MOZILLA_DIR}/*{CERT_SUFFIX}",
    )
    parser.add_argument("--out", required=True, help="PEM bundle to write")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        content, _ = build_bundle(args.root)
        try:
            atomic_file.write_bytes(args.out, content)
        except OSError as e:
            raise UserError(f"cannot write {args.out}: {e}") from None
    except UserError as e:
        print(f"ca_bundle: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
