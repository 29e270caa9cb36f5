"""Debian suites and their `Packages` indexes: fetch, parse, merge.

A `Suite` says where its index lives and where its pool is served. Its index is
a series of RFC 822-style stanzas (`iter_stanzas`), each one binary `Package`
(`package_from_stanza`). `load_index` fetches and parses the index of every
suite and merges them into an `Index` that keeps the newest version of each
package, plus who provides which virtual name.
"""

from __future__ import annotations

import collections
import datetime
import gzip
import lzma
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from debian import deb822

from deb.private import release
from deb.private.relations import Relation, compare_versions, parse_relations
from rules_common.cli import UserError, log

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

    def index_path(self, arch: str, component: str = "main") -> str:
        """The index's path below dists/<suite>/, as InRelease lists it."""
        return f"{component}/binary-{arch}/Packages.xz"

    def index_url(self, arch: str, component: str = "main") -> str:
        return f"{self.dists_base}dists/{self.name}/{self.index_path(arch, component)}"

    def release_url(self) -> str:
        return f"{self.dists_base}dists/{self.name}/InRelease"

    def urls(self, filename: str) -> list[str]:
        return [base + filename for base in self.pool_bases]


# --------------------------------------------------------------------------
# Index parsing


def iter_stanzas(text: str) -> Iterator[dict[str, str]]:
    """Yield the stanzas of a Packages file as field dicts (python-debian's
    deb822 parser; continuation lines joined with newlines as it keeps them).

    A line that is neither a field nor a continuation is an error.
    """
    for number, line in enumerate(text.splitlines(), 1):
        if line and not line.startswith(("#", " ", "\t")) and ":" not in line:
            raise ValueError(f"line {number}: expected 'Field: value', got {line!r}")
        if number == 1 and line.startswith((" ", "\t")):
            raise ValueError(f"line {number}: continuation line outside a field")
    for paragraph in deb822.Packages.iter_paragraphs(
        text.splitlines(keepends=True), use_apt_pkg=False
    ):
        yield dict(paragraph)


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
    """The newest version of every package across suites, plus Provides, and
    for each chosen package the suites that list the very same file."""

    def __init__(self, packages: Iterable[Package]) -> None:
        listed = list(packages)
        self.packages: dict[str, Package] = {}
        for pkg in listed:
            current = self.packages.get(pkg.name)
            # Strictly newer wins, so on a tie the earlier suite is kept.
            if current is None or compare_versions(pkg.version, current.version) > 0:
                self.packages[pkg.name] = pkg
        # The pool keeps a file while any suite lists it (sid drops a version
        # within days, testing keeps it for months): a lock can name them all.
        self.listed_in: dict[str, tuple[Suite, ...]] = collections.defaultdict(tuple)
        for pkg in listed:
            chosen = self.packages[pkg.name]
            same_file = (pkg.filename, pkg.sha256) == (chosen.filename, chosen.sha256)
            if same_file and pkg.suite not in self.listed_in[pkg.name]:
                self.listed_in[pkg.name] += (pkg.suite,)
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


def load_index(
    suites: Sequence[Suite],
    arch: str,
    fetch: Fetcher,
    verify: release.Verifier,
    now: datetime.datetime | None = None,
    allow_expired: bool = False,
) -> Index:
    """Each suite's signed InRelease (verified, within Valid-Until unless
    `allow_expired`), then its Packages.xz (its sha256 and size the signed
    ones), parsed and merged."""
    now = now or datetime.datetime.now(datetime.UTC)
    packages: list[Package] = []
    for suite in suites:
        release_url = suite.release_url()
        log(f"fetching {release_url}")
        signed = release.parse_release(
            verify(release_url, fetch(release_url)), release_url
        )
        try:
            release.check_valid(signed, now)
        except UserError as e:
            if not allow_expired:
                raise
            log(f"warning (--allow-expired): {e}")
        url = suite.index_url(arch)
        log(f"fetching {url}")
        data = fetch(url)
        release.check_index(signed, suite.index_path(arch), url, data)
        text = decompress(url, data)
        parsed = parse_index(text, suite)
        log(
            f"  {len(data):,} bytes compressed, {len(text):,} bytes,"
            f" {len(parsed):,} packages"
        )
        packages.extend(parsed)
    return Index(packages)
