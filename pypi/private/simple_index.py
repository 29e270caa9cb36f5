"""A project's files on any package index: PEP 691 JSON or PEP 503 HTML.

The lock tools ask an index for one project's page (`<index>/<name>/`),
preferring PEP 691's JSON and reading PEP 503's HTML where that is what the
index serves (the PyTorch index, most company mirrors). Both are reduced to
the same release files: filename, absolute URL, sha256, size (None from
HTML), whether the index marks it yanked, and its Requires-Python.

Credentials come from the environment or a netrc file, per index, and go
only into the Authorization header of requests to that index's host: never
into a URL that is returned, written or logged (`redact`), and not along a
redirect to another host.

Standard library only.
"""

from __future__ import annotations

import base64
import html.parser
import http.client
import json
import netrc
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pypi.private.pip_lock_file import normalize_name
from rules_common.cli import UserError

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
SIMPLE_HTML = "application/vnd.pypi.simple.v1+html"
ACCEPT = f"{SIMPLE_JSON}, {SIMPLE_HTML};q=0.2, text/html;q=0.01"

MAX_PAGE_BYTES = 64 * 1024 * 1024
"""A project page larger than this is refused (torch's on PyPI is a few MB)."""

# A release file: {"filename": str, "url": absolute str without fragment,
# "sha256": lowercase hex str ("" if the index gives none), "size": int | None,
# "yanked": bool, "requires_python": str | None, "core_metadata": whether the
# index serves the wheel's METADATA at `url + ".metadata"` (PEP 658/714)}
ReleaseFile = dict[str, Any]


@dataclass(frozen=True)
class Index:
    """A package index: a name (how configurations and errors refer to it)
    and its simple API root, ending in `/`."""

    name: str
    url: str


# --------------------------------------------------------------------------
# Credentials


def redact(url: str) -> str:
    """`url` without user information, query or fragment: what may be logged."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _env_key(index_name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in index_name.upper())


def credentials(
    index: Index, environ: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """(user, password) for `index`, or None.

    From `MLIMAGE_INDEX_<NAME>_USERNAME` and `..._PASSWORD` (NAME: the
    index's name, upper case, other characters as `_`), else from the netrc
    file (`NETRC`, default ~/.netrc) entry of the index's host.
    """
    env = os.environ if environ is None else environ
    key = _env_key(index.name)
    user = env.get(f"MLIMAGE_INDEX_{key}_USERNAME")
    password = env.get(f"MLIMAGE_INDEX_{key}_PASSWORD")
    if user is not None or password is not None:
        if not user or password is None:
            raise UserError(
                f"index {index.name}: set both MLIMAGE_INDEX_{key}_USERNAME and "
                f"MLIMAGE_INDEX_{key}_PASSWORD, or neither"
            )
        return user, password
    path = env.get("NETRC") or os.path.join(env.get("HOME", "/nonexistent"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(
            urllib.parse.urlsplit(index.url).hostname or ""
        )
    except (netrc.NetrcParseError, OSError) as e:
        # The message may quote the file's lines: name the file only.
        raise UserError(
            f"{path}: not a readable netrc file ({type(e).__name__})"
        ) from None
    if entry is None:
        return None
    login, _, password = entry
    return (login or "", password or "")


def same_host(a: str, b: str) -> bool:
    """Whether two URLs name the same scheme, host and port."""
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


def authorize(request: urllib.request.Request, index: Index) -> None:
    """Adds `index`'s credentials to `request`, if it has any and the request
    goes to the index's own host (never to a CDN or another index)."""
    login = credentials(index)
    if login is not None and same_host(request.full_url, index.url):
        token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects, dropping Authorization where the host changes."""

    def redirect_request(  # type: ignore[override]
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not same_host(newurl, req.full_url):
            new.remove_header("Authorization")
        return new


OPENER = urllib.request.build_opener(_SameHostRedirects)


# --------------------------------------------------------------------------
# Pages


def project_url(index: Index, name: str) -> str:
    return urllib.parse.urljoin(index.url, normalize_name(name) + "/")


def _split_hash(url: str) -> tuple[str, str]:
    """(url without fragment, sha256 from a `#sha256=` fragment or "")."""
    base, _, fragment = url.partition("#")
    algorithm, _, value = fragment.partition("=")
    return base, value.lower() if algorithm == "sha256" else ""


def files_from_json(data: Any, page_url: str) -> list[ReleaseFile]:
    """The files of a PEP 691 project page."""
    entries = data.get("files") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(
            f"{redact(page_url)}: not a PEP 691 project page (no `files` list)"
        )
    files = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        url, fragment_hash = _split_hash(
            urllib.parse.urljoin(page_url, str(entry.get("url", "")))
        )
        hashes = entry.get("hashes") if isinstance(entry.get("hashes"), dict) else {}
        size = entry.get("size")
        files.append(
            {
                "filename": str(entry.get("filename", "")),
                "url": url,
                "sha256": str(hashes.get("sha256") or fragment_hash).lower(),
                "size": size
                if isinstance(size, int) and not isinstance(size, bool)
                else None,
                "yanked": bool(entry.get("yanked")),
                "requires_python": entry.get("requires-python") or None,
                "core_metadata": bool(
                    entry.get("core-metadata") or entry.get("dist-info-metadata")
                ),
            }
        )
    return files


class _AnchorParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def _metadata_attr(attrs: dict[str, str | None]) -> bool:
    for key in ("data-core-metadata", "data-dist-info-metadata"):
        if key in attrs:
            return (attrs[key] or "true").lower() != "false"
    return False


def files_from_html(text: str, page_url: str) -> list[ReleaseFile]:
    """The files of a PEP 503 project page: one anchor per file, its text the
    filename, its href the URL with a `#sha256=` fragment; `data-yanked` and
    `data-requires-python` as PEP 592 and PEP 503 say."""
    parser = _AnchorParser()
    parser.feed(text)
    parser.close()
    files = []
    for attrs, label in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, sha256 = _split_hash(urllib.parse.urljoin(page_url, href))
        filename = label or urllib.parse.unquote(url.rsplit("/", 1)[-1])
        files.append(
            {
                "filename": filename,
                "url": url,
                "sha256": sha256,
                "size": None,
                "yanked": "data-yanked" in attrs,
                "requires_python": attrs.get("data-requires-python") or None,
                "core_metadata": _metadata_attr(attrs),
            }
        )
    return files


Get = Callable[[str, "Index"], "tuple[str, bytes] | None"]
"""(url, index) -> (content type, body), or None for 404."""


def http_get(url: str, index: Index) -> tuple[str, bytes] | None:
    """GET a project page (the tool's only network access), retrying what may pass."""
    request = urllib.request.Request(
        url, headers={"Accept": ACCEPT, "User-Agent": "mlimage-lock-tools"}
    )
    authorize(request, index)
    shown = redact(url)
    delay = 1.0
    for attempt in range(1, 5):
        try:
            with OPENER.open(request, timeout=60) as response:
                body = response.read(MAX_PAGE_BYTES + 1)
                if len(body) > MAX_PAGE_BYTES:
                    raise UserError(
                        f"index {index.name}: {shown} is over {MAX_PAGE_BYTES} "
                        "bytes; refused"
                    )
                return response.headers.get_content_type(), body
        except urllib.error.HTTPError as e:
            e.close()
            if e.code == 404:
                return None
            if e.code in (401, 403):
                raise UserError(
                    f"index {index.name}: {shown} answered HTTP {e.code}: set its "
                    f"credentials (MLIMAGE_INDEX_{_env_key(index.name)}_USERNAME and "
                    "_PASSWORD, or a netrc entry for its host)"
                ) from None
            if e.code < 500 or attempt == 4:
                raise UserError(
                    f"index {index.name}: {shown} answered HTTP {e.code}"
                ) from None
        except (OSError, http.client.HTTPException) as e:
            if attempt == 4:
                reason = getattr(e, "reason", type(e).__name__)
                raise UserError(
                    f"index {index.name}: cannot reach {shown}: {reason}"
                ) from None
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def project_files(index: Index, name: str, get: Get = http_get) -> list[ReleaseFile]:
    """Every file `index` lists for project `name` ([] if it has no such project)."""
    url = project_url(index, name)
    answer = get(url, index)
    if answer is None:
        return []
    content_type, body = answer
    if (
        content_type == SIMPLE_JSON
        or content_type.endswith("+json")
        or content_type == "application/json"
    ):
        try:
            return files_from_json(json.loads(body), url)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise UserError(
                f"index {index.name}: {redact(url)} is not valid JSON"
            ) from None
    if content_type in (SIMPLE_HTML, "text/html"):
        return files_from_html(body.decode("utf-8", errors="replace"), url)
    raise UserError(
        f"index {index.name}: {redact(url)} answered {content_type!r}, "
        "neither a PEP 691 JSON nor a PEP 503 HTML page"
    )
