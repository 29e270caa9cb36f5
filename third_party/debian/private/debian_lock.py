"""Resolve Debian package closures and write a lock file.

Every `<packages-dir>/<group>.txt` except `exclude.txt` is the roots file of
one group named after the file (one package name per line, `#` comments
allowed); `<packages-dir>/exclude.txt` names packages that are never pulled
in. The tool fetches the `Packages.xz` indexes of the distribution's suites,
keeps the highest version of every package across them, follows `Pre-Depends`
and `Depends`, and writes a deterministic JSON lock with each .deb's pool path,
size, SHA256 and download URLs.

Distributions (`--distribution`):
  * bookworm (default): bookworm + bookworm-updates + bookworm-security;
    roots in third_party/debian/packages/, lock third_party/debian/debian.lock.json.
  * sid: sid main only, for tools packaged nowhere else (crane); roots in
    third_party/debian/sid/, lock third_party/debian/sid.lock.json. Sid drops
    superseded versions within days, so a pinned sid .deb can vanish from the
    mirror: Bazel's repository cache keeps the copy it fetched, and otherwise
    the fix is to rerun the tool with `--distribution sid` and commit the lock.

Resolution rules, for each `a | b | c` clause of Pre-Depends/Depends:
  * alternatives are tried in order; the first one that is excluded drops the
    whole clause, the first one that a real package satisfies is taken;
  * a name is satisfied by the package of that name if its version meets the
    constraint, else by the first provider (sorted by name) whose `Provides`
    meets it (a versioned constraint needs a `Provides: x (= v)`);
  * a virtual name counts as excluded when an excluded package provides it;
  * arch qualifiers (`:any`) are ignored; if no alternative fits, the run fails
    and names the chain from the root.

Usage (from the repository root):
    python3 third_party/debian/private/debian_lock.py
    python3 third_party/debian/private/debian_lock.py --distribution sid

Under `bazel run`, relative paths are resolved against
$BUILD_WORKSPACE_DIRECTORY so the lock lands in the source tree.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import lzma
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_DISTRIBUTION = "bookworm"
DEFAULT_ARCH = "amd64"
EXCLUDE_FILE = "exclude.txt"
ROOTS_SUFFIX = ".txt"
# A group name is the stem of its roots file; it is a key in the lock and in
# Bazel attributes, so keep it to a plain identifier-like name.
_GROUP_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")

DEBIAN_MIRROR = "https://deb.debian.org/debian/"
SECURITY_MIRROR = "https://security.debian.org/debian-security/"
SECURITY_FALLBACK_MIRROR = "https://deb.debian.org/debian-security/"

HTTP_TIMEOUT_S = 120
USER_AGENT = "debian_lock/1 (+bazel monorepo)"

Fetcher = Callable[[str], bytes]


class LockError(Exception):
    """An expected failure, reported as one message without a traceback."""


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
# soon after (no point releases, no security suite), see the module docstring.
SID_SUITES: tuple[Suite, ...] = (Suite("sid", DEBIAN_MIRROR, (DEBIAN_MIRROR,)),)


@dataclass(frozen=True)
class Distribution:
    """A set of suites plus where its roots live and where its lock goes."""

    name: str
    suites: tuple[Suite, ...]
    packages_dir: str  # default --packages-dir, relative to the repository root
    out: str  # default --out, relative to the repository root


DISTRIBUTIONS: dict[str, Distribution] = {
    d.name: d
    for d in (
        Distribution(
            "bookworm",
            BOOKWORM_SUITES,
            "third_party/debian/packages",
            "third_party/debian/debian.lock.json",
        ),
        Distribution(
            "sid",
            SID_SUITES,
            "third_party/debian/sid",
            "third_party/debian/sid.lock.json",
        ),
    )
}


# --------------------------------------------------------------------------
# Debian version comparison (Debian Policy 5.6.12, as dpkg implements it)


@dataclass(frozen=True)
class Version:
    epoch: int
    upstream: str
    revision: str

    @classmethod
    def parse(cls, text: str) -> Version:
        text = text.strip()
        if not text:
            raise ValueError("empty version")
        epoch = 0
        if ":" in text:
            epoch_text, text = text.split(":", 1)
            if not (epoch_text.isascii() and epoch_text.isdigit()):
                raise ValueError(
                    f"bad epoch {epoch_text!r} in version {epoch_text}:{text}"
                )
            epoch = int(epoch_text)
        upstream, sep, revision = text.rpartition("-")
        if not sep:
            upstream, revision = text, ""
        if not upstream:
            raise ValueError(f"empty upstream version in {text!r}")
        return cls(epoch, upstream, revision)


def _char_order(c: str) -> int:
    """Sort weight of one non-digit character: `~` < end < letters < others."""
    if c == "~":
        return -1
    if c.isascii() and c.isalpha():
        return ord(c)
    return ord(c) + 256


def _is_digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _compare_fragment(a: str, b: str) -> int:
    """Compare two upstream (or revision) strings the way dpkg's verrevcmp does."""
    i = j = 0
    while i < len(a) or j < len(b):
        # Non-digit prefix, character by character.
        while (i < len(a) and not _is_digit(a, i)) or (
            j < len(b) and not _is_digit(b, j)
        ):
            ac = 0 if i >= len(a) or _is_digit(a, i) else _char_order(a[i])
            bc = 0 if j >= len(b) or _is_digit(b, j) else _char_order(b[j])
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        # Digit run, numerically.
        start_i, start_j = i, j
        while _is_digit(a, i):
            i += 1
        while _is_digit(b, j):
            j += 1
        na = int(a[start_i:i] or "0")
        nb = int(b[start_j:j] or "0")
        if na != nb:
            return -1 if na < nb else 1
    return 0


def compare_versions(a: str, b: str) -> int:
    """Return -1, 0 or 1 as Debian version `a` sorts before, equal to or after `b`."""
    va, vb = Version.parse(a), Version.parse(b)
    if va.epoch != vb.epoch:
        return -1 if va.epoch < vb.epoch else 1
    return _compare_fragment(va.upstream, vb.upstream) or _compare_fragment(
        va.revision, vb.revision
    )


_OPERATORS: dict[str, Callable[[int], bool]] = {
    "<<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    "<": lambda c: c <= 0,  # obsolete spelling of <=
    "=": lambda c: c == 0,
    ">=": lambda c: c >= 0,
    ">": lambda c: c >= 0,  # obsolete spelling of >=
    ">>": lambda c: c > 0,
}


def version_satisfies(version: str, op: str, wanted: str) -> bool:
    """True if `version op wanted` holds, e.g. ("1.2-1", ">=", "1.0")."""
    try:
        check = _OPERATORS[op]
    except KeyError:
        raise ValueError(f"unknown version operator {op!r}") from None
    return check(compare_versions(version, wanted))


# --------------------------------------------------------------------------
# Relations (Depends / Pre-Depends / Provides fields)


@dataclass(frozen=True)
class Relation:
    name: str
    op: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        if self.op is None:
            return self.name
        return f"{self.name} ({self.op} {self.version})"


_RELATION_RE = re.compile(
    r"""^\s*
    (?P<name>[A-Za-z0-9][A-Za-z0-9+.\-]*)      # package name
    (?::[A-Za-z0-9\-]+)?                       # arch qualifier (:any, :native)
    \s*
    (?:\(\s*(?P<op><<|<=|>=|>>|=|<|>)\s*(?P<version>[^)\s<=>]+)\s*\))?
    \s*
    (?:\[[^\]]*\])?                            # arch restriction (source only)
    \s*
    (?:<[^>]*>\s*)*                            # build profiles (source only)
    $""",
    re.VERBOSE,
)


def parse_relation(text: str) -> Relation:
    match = _RELATION_RE.match(text)
    if match is None:
        raise ValueError(f"cannot parse relation {text!r}")
    return Relation(match["name"], match["op"], match["version"])


def parse_relations(field: str) -> tuple[tuple[Relation, ...], ...]:
    """Parse `a (>= 1) | b, c:any` into ((a>=1, b), (c,))."""
    groups: list[tuple[Relation, ...]] = []
    for clause in field.split(","):
        if not clause.strip():
            continue
        groups.append(tuple(parse_relation(alt) for alt in clause.split("|")))
    return tuple(groups)


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
        raise LockError(
            f"{suite.name}: package {name!r} has no {e.args[0]} field"
        ) from None
    except ValueError as e:
        raise LockError(f"{suite.name}: package {name!r}: {e}") from None


def parse_index(text: str, suite: Suite) -> list[Package]:
    return [package_from_stanza(fields, suite) for fields in iter_stanzas(text)]


def decompress(url: str, data: bytes) -> str:
    try:
        if url.endswith(".xz"):
            data = lzma.decompress(data)
        elif url.endswith(".gz"):
            data = gzip.decompress(data)
    except (lzma.LZMAError, OSError, EOFError) as e:
        raise LockError(f"{url}: cannot decompress ({e})") from None
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
        raise LockError(f"cannot fetch {url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise LockError(
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


# --------------------------------------------------------------------------
# Resolution


def relation_matches(pkg: Package, rel: Relation) -> bool:
    if rel.op is None or rel.version is None:
        return True
    return version_satisfies(pkg.version, rel.op, rel.version)


def provide_matches(provided: Relation, rel: Relation) -> bool:
    """A Provides entry satisfies a versioned relation only with `(= v)`."""
    if rel.op is None or rel.version is None:
        return True
    if provided.op != "=" or provided.version is None:
        return False
    return version_satisfies(provided.version, rel.op, rel.version)


def _is_excluded(rel: Relation, index: Index, excluded: frozenset[str]) -> bool:
    if rel.name in excluded:
        return True
    # A purely virtual name counts as excluded if an excluded package provides it
    # (debconf-2.0, provided by the excluded debconf).
    return index.get(rel.name) is None and any(
        pkg.name in excluded for pkg, _ in index.providers.get(rel.name, [])
    )


def _candidate(rel: Relation, index: Index, excluded: frozenset[str]) -> Package | None:
    """The real package that satisfies `rel`, if any.

    The package of that name comes first; otherwise the first provider by name
    (the index keeps providers sorted), so the choice is deterministic.
    """
    pkg = index.get(rel.name)
    if pkg is not None and relation_matches(pkg, rel):
        return pkg
    for provider, provided in index.providers.get(rel.name, []):
        if provider.name not in excluded and provide_matches(provided, rel):
            return provider
    return None


def _explain(rel: Relation, index: Index) -> str:
    pkg = index.get(rel.name)
    if pkg is not None:
        return f"{rel.name} is {pkg.version} in {pkg.suite.name}"
    providers = index.providers.get(rel.name, [])
    if providers:
        names = ", ".join(f"{p.name} ({prov})" for p, prov in providers)
        return f"{rel.name} is virtual, provided only by {names}"
    return f"{rel.name} is in no suite"


def resolve_group(
    group: tuple[Relation, ...],
    index: Index,
    excluded: frozenset[str],
    chain: Sequence[str],
) -> Package | None:
    """Pick the package for one `a | b | c` clause; None if it is excluded."""
    for rel in group:
        if _is_excluded(rel, index, excluded):
            return None
        pkg = _candidate(rel, index, excluded)
        if pkg is not None:
            return pkg
    clause = " | ".join(str(rel) for rel in group)
    reasons = "; ".join(_explain(rel, index) for rel in group)
    raise LockError(
        f"unsatisfiable dependency: {' -> '.join([*chain, clause])}\n  ({reasons})"
    )


def resolve_closure(
    roots: Sequence[str],
    index: Index,
    excluded: frozenset[str],
    roots_file: str = "<roots>",
) -> list[str]:
    """Breadth-first closure of `roots` over Pre-Depends and Depends, sorted."""
    parent: dict[str, str | None] = {}
    queue: collections.deque[str] = collections.deque()
    for root in roots:
        if root in excluded:
            raise LockError(
                f"root package {root!r} in {roots_file} is also in {EXCLUDE_FILE}"
            )
        if index.get(root) is None:
            hint = ""
            if index.providers.get(root):
                names = ", ".join(sorted({p.name for p, _ in index.providers[root]}))
                hint = (
                    f" (it is a virtual package provided by {names}; name one of those)"
                )
            raise LockError(
                f"root package {root!r} from {roots_file} is not in any suite{hint}"
            )
        if root not in parent:
            parent[root] = None
            queue.append(root)
    while queue:
        name = queue.popleft()
        pkg = index.packages[name]
        chain = _chain(name, parent)
        for group in pkg.depends:
            dep = resolve_group(group, index, excluded, chain)
            if dep is not None and dep.name not in parent:
                parent[dep.name] = name
                queue.append(dep.name)
    return sorted(parent)


def _chain(name: str, parent: Mapping[str, str | None]) -> list[str]:
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        chain.append(current)
        current = parent[current]
    return chain[::-1]


# --------------------------------------------------------------------------
# Input files and output


def read_list(path: str) -> list[str]:
    """Read one name per line; `#` starts a comment; order kept, duplicates dropped."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise LockError(f"cannot read {path}: {e.strerror}") from None
    names: list[str] = []
    for line in lines:
        name = line.split("#", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def discover_groups(packages_dir: str) -> dict[str, str]:
    """Map each group to its roots file: every `*.txt` but exclude.txt, sorted.

    The group is the file's stem (`certs.txt` -> `certs`). Hidden files and
    anything that is not a regular file are skipped; a stem that is not a plain
    name is an error rather than a surprising group.
    """
    try:
        entries = sorted(os.listdir(packages_dir))
    except FileNotFoundError:
        raise LockError(
            f"packages dir {packages_dir} does not exist (run from the repository "
            "root or pass --packages-dir)"
        ) from None
    except OSError as e:
        raise LockError(f"cannot list {packages_dir}: {e.strerror}") from None
    groups: dict[str, str] = {}
    for entry in entries:
        if (
            entry.startswith(".")
            or not entry.endswith(ROOTS_SUFFIX)
            or entry == EXCLUDE_FILE
        ):
            continue
        path = os.path.join(packages_dir, entry)
        if not os.path.isfile(path):
            continue
        group = entry[: -len(ROOTS_SUFFIX)]
        if not _GROUP_NAME_RE.fullmatch(group):
            raise LockError(
                f"roots file {path}: {group!r} is not a valid group name "
                "(letters, digits and . _ + -, starting with a letter or digit)"
            )
        groups[group] = path
    if not groups:
        raise LockError(
            f"{packages_dir} has no roots files (*{ROOTS_SUFFIX} other than "
            f"{EXCLUDE_FILE})"
        )
    return groups


def package_entry(pkg: Package) -> dict[str, object]:
    return {
        "version": pkg.version,
        "arch": pkg.arch,
        "sha256": pkg.sha256,
        "size": pkg.size,
        "filename": pkg.filename,
        "suite": pkg.suite.name,
        "urls": pkg.suite.urls(pkg.filename),
    }


def build_lock(
    groups: Mapping[str, Sequence[str]],
    index: Index,
    arch: str,
    suites: Sequence[Suite],
    distribution: str = DEFAULT_DISTRIBUTION,
) -> dict[str, object]:
    names = sorted({name for members in groups.values() for name in members})
    return {
        "arch": arch,
        "distribution": distribution,
        "suites": [suite.name for suite in suites],
        "groups": {group: sorted(members) for group, members in sorted(groups.items())},
        "packages": {name: package_entry(index.packages[name]) for name in names},
    }


def render_lock(lock: Mapping[str, object]) -> str:
    return json.dumps(lock, indent=2, sort_keys=True) + "\n"


def write_atomic(path: str, content: str) -> None:
    """Write `content` to `path` via a temp file in the same dir and os.replace."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# --------------------------------------------------------------------------
# Main


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def workspace_path(path: str) -> str:
    """Resolve a relative path against the source tree under `bazel run`."""
    base = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if base and not os.path.isabs(path):
        return os.path.join(base, path)
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--distribution",
        choices=sorted(DISTRIBUTIONS),
        default=DEFAULT_DISTRIBUTION,
        help="suite set, roots dir and lock to use (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        help="lock file to write (default: the distribution's, "
        + ", ".join(f"{d.name}: {d.out}" for d in DISTRIBUTIONS.values())
        + ")",
    )
    parser.add_argument(
        "--packages-dir",
        help="dir with one <group>.txt roots file per group and exclude.txt "
        "(default: the distribution's, "
        + ", ".join(f"{d.name}: {d.packages_dir}" for d in DISTRIBUTIONS.values())
        + ")",
    )
    parser.add_argument(
        "--arch", default=DEFAULT_ARCH, help="Debian arch (default: %(default)s)"
    )
    return parser.parse_args(argv)


def run(
    out: str,
    packages_dir: str,
    arch: str,
    fetch: Fetcher = fetch_url,
    suites: Sequence[Suite] = BOOKWORM_SUITES,
    distribution: str = DEFAULT_DISTRIBUTION,
) -> dict[str, object]:
    group_files = discover_groups(packages_dir)
    excluded = frozenset(read_list(os.path.join(packages_dir, EXCLUDE_FILE)))
    roots: dict[str, tuple[str, list[str]]] = {}
    for group, path in group_files.items():
        names = read_list(path)
        if not names:
            raise LockError(f"roots file {path} names no package")
        roots[group] = (path, names)
    index = load_index(suites, arch, fetch)
    groups: dict[str, list[str]] = {}
    for group, (path, names) in roots.items():
        groups[group] = resolve_closure(names, index, excluded, path)
        log(f"group {group}: {len(names)} roots -> {len(groups[group])} packages")
    lock = build_lock(groups, index, arch, suites, distribution)
    write_atomic(out, render_lock(lock))
    packages = lock["packages"]
    assert isinstance(packages, dict)
    total = sum(index.packages[name].size for name in packages)
    log(f"wrote {out}: {len(packages)} packages, {total:,} bytes of .debs")
    return lock


def main(
    argv: Sequence[str] | None = None,
    fetch: Fetcher = fetch_url,
    suites: Sequence[Suite] | None = None,
) -> int:
    """Entry point; `suites` overrides the distribution's (tests only)."""
    args = parse_args(argv)
    dist = DISTRIBUTIONS[args.distribution]
    try:
        out = workspace_path(args.out or dist.out)
        packages_dir = workspace_path(args.packages_dir or dist.packages_dir)
        run(
            out,
            packages_dir,
            args.arch,
            fetch,
            dist.suites if suites is None else suites,
            dist.name,
        )
    except LockError as e:
        log(f"debian_lock: error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
