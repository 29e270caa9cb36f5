"""Check a cosign signing key before anything is pushed.

    python3 -m oci.private.signing_key --cosign COSIGN KEY

`oci_push --sign-key KEY` runs this first: a push that could not be signed
must not start. KEY must be a regular file of at most 64 KiB holding one PEM
block of cosign's own format (`ENCRYPTED SIGSTORE PRIVATE KEY`, or the older
`ENCRYPTED COSIGN PRIVATE KEY`), and `COSIGN_PASSWORD` must be set and open
it: `cosign public-key --key KEY` decrypts it with that password. Each
failure is one line naming KEY. The key's bytes and the password are never
printed; cosign's own message is passed on only when it names neither.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

if __package__ in (None, ""):
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import cli  # noqa: E402

PROG = "oci_push"
MAX_KEY_BYTES = 64 * 1024
KEY_TYPES = ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY")
PASSWORD = "COSIGN_PASSWORD"
_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
TIMEOUT_S = 60


def key_problem(path: str) -> str | None:
    """What is wrong with the file as a cosign private key, or None."""
    if not os.path.lexists(path):
        return f"--sign-key {path}: no such file"
    if not os.path.isfile(path):
        return f"--sign-key {path}: not a regular file"
    size = os.path.getsize(path)
    if size > MAX_KEY_BYTES:
        return f"--sign-key {path}: {size:,} bytes, more than a key ({MAX_KEY_BYTES:,})"
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return f"--sign-key {path}: cannot read it ({exc.strerror})"
    blocks = _BEGIN.findall(data)
    if len(blocks) != 1:
        return (
            f"--sign-key {path}: {len(blocks)} PEM blocks; a cosign private key "
            "is one (make one with `cosign generate-key-pair`)"
        )
    kind = blocks[0].decode()
    if kind not in KEY_TYPES:
        return (
            f"--sign-key {path}: a {kind!r}, not a cosign private key "
            f"({' or '.join(KEY_TYPES)}); make one with `cosign generate-key-pair`"
            " or `cosign import-key-pair`"
        )
    return None


def open_problem(cosign: str, path: str, env: Mapping[str, str]) -> str | None:
    """What keeps cosign from opening the key with COSIGN_PASSWORD, or None."""
    if PASSWORD not in env:
        return (
            f"--sign-key {path}: set {PASSWORD} to the key's password "
            "(cosign's convention; it is never a Bazel input or a log line)"
        )
    done = subprocess.run(
        [cosign, "public-key", "--key", path],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode == 0 and "BEGIN PUBLIC KEY" in done.stdout:
        return None
    said = [line for line in done.stderr.splitlines() if line.strip()]
    reason = said[-1] if said else f"exit {done.returncode}"
    if env[PASSWORD] and env[PASSWORD] in reason:
        reason = f"exit {done.returncode}"
    return f"--sign-key {path}: cosign cannot open it with {PASSWORD}: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--cosign", required=True, help="the cosign program")
    parser.add_argument("key", help="the private key oci_push signs with")
    args = parser.parse_args(argv)
    problem = key_problem(args.key) or open_problem(args.cosign, args.key, os.environ)
    if problem:
        raise cli.UserError(problem + "; nothing was pushed")
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
