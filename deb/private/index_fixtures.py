"""Synthetic Packages stanzas and suites shared by the Debian lock tests."""

from __future__ import annotations

import hashlib

from deb.private import packages_index as pi

MAIN = pi.Suite(
    "bookworm", "https://main.invalid/debian/", ("https://main.invalid/debian/",)
)
SECURITY = pi.Suite(
    "bookworm-security",
    "https://sec.invalid/debian-security/",
    (
        "https://sec.invalid/debian-security/",
        "https://fallback.invalid/debian-security/",
    ),
)


def stanza(
    name: str, version: str = "1.0-1", arch: str = "amd64", **fields: str
) -> str:
    """A Packages stanza; keyword names map to fields (pre_depends -> Pre-Depends)."""
    lines = [
        f"Package: {name}",
        f"Version: {version}",
        f"Architecture: {arch}",
        f"Filename: pool/main/{name[0]}/{name}/{name}_{version}_{arch}.deb",
        f"Size: {len(name) * 100}",
        f"SHA256: {name.encode().hex()[:8]:0<64}",
    ]
    for key, value in fields.items():
        lines.append(
            f"{'-'.join(part.capitalize() for part in key.split('_'))}: {value}"
        )
    return "\n".join(lines) + "\n"


def make_index(*stanzas: str, suite: pi.Suite = MAIN) -> pi.Index:
    return pi.Index(pi.parse_index("\n".join(stanzas), suite))


# A small synthetic archive shaped like bookworm's python3.11.
SYNTHETIC = [
    stanza(
        "python3.11",
        "3.11.2-6+deb12u1",
        depends="python3.11-minimal (= 3.11.2-6+deb12u1), libpython3.11-stdlib "
        "(= 3.11.2-6+deb12u1), media-types | mime-support",
    ),
    stanza("python3.11-minimal", "3.11.2-6+deb12u1", pre_depends="libc6 (>= 2.34)"),
    stanza(
        "libpython3.11-stdlib",
        "3.11.2-6+deb12u1",
        depends="libc6 (>= 2.34), libssl3:any (>= 3.0.0), libffi-virtual, "
        "libreadline8 (>= 7.0~beta)",
    ),
    stanza("libc6", "2.36-9+deb12u7", depends="libgcc-s1"),
    stanza("libgcc-s1", "12.2.0-14", depends="libc6 (>= 2.35)"),  # a cycle
    stanza("libssl3", "3.0.11-1~deb12u2", depends="debconf (>= 0.5) | debconf-2.0"),
    stanza("debconf", "1.5.82", arch="all", provides="debconf-2.0"),
    stanza("cdebconf", "0.270", provides="debconf-2.0"),
    # Virtual package with two providers: the choice must be deterministic.
    stanza("libffi8", "3.4.4-1", provides="libffi-virtual"),
    stanza("libffi7", "3.3-6", provides="libffi-virtual"),
    stanza("libreadline8", "8.2-1.3", depends="readline-common"),
    stanza(
        "readline-common",
        "8.2-1.3",
        arch="all",
        depends="dpkg (>= 1.15.4) | install-info",
    ),
    stanza("dpkg", "1.21.22"),
    stanza("install-info", "6.8-6"),
    stanza("mime-support", "3.66", arch="all"),
    stanza("media-types", "10.0.0", arch="all"),
    stanza("unused", "1.0"),
]


def with_releases(fetch: pi.Fetcher, suites: list[pi.Suite], arch: str) -> pi.Fetcher:
    """`fetch`, plus each suite's InRelease: an UNSIGNED Release listing the
    sha256 and size of what `fetch` serves as that suite's Packages.xz (for
    tests; release_test checks real signatures)."""

    def serve(url: str) -> bytes:
        for suite in suites:
            if url == suite.release_url():
                index = fetch(suite.index_url(arch))
                digest = hashlib.sha256(index).hexdigest()
                return (
                    f"Suite: {suite.name}\nDate: Mon, 30 Nov 2026 00:00:00 UTC\n"
                    f"SHA256:\n {digest} {len(index)} {suite.index_path(arch)}\n"
                ).encode()
        return fetch(url)

    return serve


def unsigned(url: str, data: bytes) -> str:
    """A Verifier for the synthetic Releases above: their text as is."""
    return data.decode()
