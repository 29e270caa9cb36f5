"""Tiny valid wheels for the lock tools' tests (index_router_test, real_index_test)."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile


def make_wheel(
    name: str, version: str, requires: tuple[str, ...] = ()
) -> tuple[str, bytes, bytes]:
    """(filename, wheel bytes, METADATA bytes) of a tiny pure wheel."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires)
    ).encode()
    files = {
        f"{dist}/__init__.py": b"",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = ""
    for path, data in files.items():
        digest = (
            base64.urlsafe_b64encode(hashlib.sha256(data).digest())
            .rstrip(b"=")
            .decode()
        )
        record += f"{path},sha256={digest},{len(data)}\n"
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in files.items():
            z.writestr(zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0)), data)
    return f"{dist}-{version}-py3-none-any.whl", buf.getvalue(), metadata
