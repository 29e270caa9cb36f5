"""Debian suites and their `Packages` indexes: fetch, parse, merge.

A `Suite` says where its index lives and where its pool is served. Its index is
a series of RFC 822-style stanzas (`iter_stanzas`), each one binary `Package`
(`package_from_stanza`). `load_index` fetches and parses the index of every
suite and merges them into an `Index` that keeps the newest version of each
package, plus who provides which virtual name.
"""

from __future__ import annotations

import collections
import gzip
import lzma
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from deb.private.debian_version import compare_versions
from deb.private.relations import Relation, parse_relations
from tools.pylib.cli import UserError, log

DEBIAN_MIRROR = "https://deb.debian.org/debian/"
SECURITY_MIRROR = "https://security.debian.org/debian-security/"
SECURITY_FALLBACK_MIRROR = "https://deb.debian.org/debian-security/"

HTTP_TIMEOUT_S = 120
USER_AGENT = "debian_lock/1 (+bazel monorepo)"

Fetcher = Callable[[str], bytes]


# --------------------------------------------------------------------------
# Suites


@dataclass(frozen=True)
class Suite:
    """One Debian suite: where its index lives and where its pool is served."""

    name: str
    dists_base: str  # mirror root that holds dists/<name>/
    pool_bases: tuple[str, ...]  # mirror roots that hold the pool/, in order

    def index_url(self, arch: str, component: str = "main") -> str:
        return (
            f"{self.dists_base}dists/{self.name}/{component}/binary-{arch}/Packages.xz"
        )

    def urls(self, filename: str) -> list[str]:
        return [base + filename for base in self.pool_bases]


BOOKWORM_SUITES: tuple[Suite, ...] = (
    Suite("bookworm", DEBIAN_MIRROR, (DEBIAN_MIRROR,)),
    Suite("bookworm-updates", DEBIAN_MIRROR, (DEBIAN_MIRROR,)),
    Suite(
        "bookworm-security",
        SECURITY_MIRROR,
        (SECURITY_MIRROR, SECURITY_FALLBACK_MIRROR),
    ),
)

# sid keeps one version of each package: a superseded .deb leaves the pool
# soon after (no point releases, no security suite), see debian_lock.py's
# docstring.
SID_SUITES: tuple[Suite, ...] = (Suite("sid", DEBIAN_MIRROR, (DEBIAN_MIRROR,)),)


# --------------------------------------------------------------------------
# Index parsing


def iter_stanzas(text: str) -> Iterator[dict[str, str]]:
    """Yield the RFC822-style stanzas of a Packages file as field dicts.

    Continuation lines (starting with a space or tab) are joined to the
    previous field with a newline; a line of only " ." is an empty line.
    """
    fields: dict[str, str] = {}
    last: str | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                yield fields
            fields, last = {}, None
            continue
        if line.startswith("#"):
            continue
        if line[0] in " \t":
            if last is None:
                raise ValueError(f"line {lineno}: continuation line outside a field")
            cont = line.strip()
            fields[last] += "\n" + ("" if cont == "." else cont)
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: expected 'Field: value', got {line!r}")
        last = key.strip()
        fields[last] = value.strip()
    if fields:
        yield fields


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    arch: str
    filename: str
    size: int
    sha256: str
    suite: Suite
    depends: tuple[tuple[Relation, ...], ...]  # Pre-Depends then Depends
    provides: tuple[Relation, ...]


def package_from_stanza(fields: Mapping[str, str], suite: Suite) -> Package:
    name = fields.get("Package", "<unnamed>")
    try:
        relations = " , ".join(
            fields[key] for key in ("Pre-Depends", "Depends") if fields.get(key)
        )
        return Package(
            name=fields["Package"],
            version=fields["Version"],
            arch=fields["Architecture"],
            filename=fields["Filename"],
            size=int(fields["Size"]),
            sha256=fields["SHA256"].lower(),
            suite=suite,
            depends=parse_relations(relations),
            provides=tuple(
                alt
                for group in parse_relations(fields.get("Provides", ""))
                for alt in group
            ),
        )
    except KeyError as e:
        raise UserError(
            f"{suite.name}: package {name!r} has no {e.args[0]} field"
        ) from None
    except ValueError as e:
        raise UserError(f"{suite.name}: package {name!r}: {e}") from None


def parse_index(text: str, suite: Suite) -> list[Package]:
    return [package_from_stanza(fields, suite) for fields in iter_stanzas(text)]


def decompress(url: str, data: bytes) -> str:
    try:
        if url.endswith(".xz"):
            data = lzma.decompress(data)
        elif url.endswith(".gz"):
            data = gzip.decompress(data)
    except (lzma.LZMAError, OSError, EOFError) as e:
        raise UserError(f"{url}: cannot decompress ({e})") from None
    return data.decode("utf-8")


class Index:
    """The newest version of every package across suites, plus Provides."""

    def __init__(self, packages: Iterable[Package]) -> None:
        self.packages: dict[str, Package] = {}
        for pkg in packages:
            current = self.packages.get(pkg.name)
            # Strictly newer wins, so on a tie the earlier suite is kept.
            if current is None or compare_versions(pkg.version, current.version) > 0:
                self.packages[pkg.name] = pkg
        self.providers: dict[str, list[tuple[Package, Relation]]] = (
            collections.defaultdict(list)
        )
        for name in sorted(self.packages):
            pkg = self.packages[name]
            for provided in pkg.provides:
                self.providers[provided.name].append((pkg, provided))

    def get(self, name: str) -> Package | None:
        return self.packages.get(name)


# --------------------------------------------------------------------------
# Network


def fetch_url(url: str) -> bytes:
    """Download `url`; the only function that touches the network."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as e:
        raise UserError(f"cannot fetch {url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise UserError(
            f"cannot fetch {url}: {reason}\n"
            "The network must reach deb.debian.org and security.debian.org "
            "(directly or through the configured HTTPS proxy, whose CA must then be "
            "trusted: SSL_CERT_FILE can name a CA bundle)."
        ) from None


def load_index(suites: Sequence[Suite], arch: str, fetch: Fetcher) -> Index:
    packages: list[Package] = []
    for suite in suites:
        url = suite.index_url(arch)
        log(f"fetching {url}")
        data = fetch(url)
        text = decompress(url, data)
        parsed = parse_index(text, suite)
        log(
            f"  {len(data):,} bytes compressed, {len(text):,} bytes,"
            f" {len(parsed):,} packages"
        )
        packages.extend(parsed)
    return Index(packages)
