"""A registry on loopback that has the OCI 1.1 referrers API, for tests.

    with referrers_registry.serving() as (address, registry):
        ...push to f"{address}/repo"...; registry.tags("repo")

`crane registry serve` has no referrers API, so a push to it exercises the
referrers tag (distribution-spec 1.1's fallback). This one answers a
manifest with a `subject` with the `OCI-Subject` header and serves
`GET /v2/<name>/referrers/<digest>`, as registries that have the API do, so
a push to it must use the API and create no `sha256-<hex>` tag. In memory,
on 127.0.0.1, only the calls a push and a pull make: blobs (HEAD, GET,
monolithic and chunked uploads), manifests (HEAD, GET, PUT by tag or
digest), tags/list, referrers. Bodies are bounded (MAX_BODY).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

MAX_BODY = 256 << 20
_NAME = r"(?P<name>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
_ROUTES = {
    "base": re.compile(r"^/v2/?$"),
    "blob": re.compile(rf"^/v2/{_NAME}/blobs/(?P<digest>sha256:[0-9a-f]{{64}})$"),
    "upload": re.compile(rf"^/v2/{_NAME}/blobs/uploads/(?P<id>[0-9a-f-]*)$"),
    "manifest": re.compile(rf"^/v2/{_NAME}/manifests/(?P<ref>[A-Za-z0-9_.:-]+)$"),
    "tags": re.compile(rf"^/v2/{_NAME}/tags/list$"),
    "referrers": re.compile(
        rf"^/v2/{_NAME}/referrers/(?P<digest>sha256:[0-9a-f]{{64}})$"
    ),
}
INDEX = "application/vnd.oci.image.index.v1+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Registry:
    """What the server holds: blobs by digest, manifests and tags by repository."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.blobs: dict[str, bytes] = {}
        self.uploads: dict[str, bytearray] = {}
        # repository -> digest -> (media type, bytes); repository -> tag -> digest
        self.manifests: dict[str, dict[str, tuple[str, bytes]]] = {}
        self.tag_map: dict[str, dict[str, str]] = {}

    def tags(self, name: str) -> list[str]:
        with self.lock:
            return sorted(self.tag_map.get(name, {}))

    def referrers(self, name: str, digest: str) -> list[dict[str, Any]]:
        with self.lock:
            held = dict(self.manifests.get(name, {}))
        out = []
        for key, (media_type, data) in sorted(held.items()):
            manifest = json.loads(data)
            if (manifest.get("subject") or {}).get("digest") != digest:
                continue
            entry: dict[str, Any] = {
                "mediaType": media_type,
                "digest": key,
                "size": len(data),
            }
            kind = manifest.get("artifactType") or manifest.get("config", {}).get(
                "mediaType"
            )
            if kind:
                entry["artifactType"] = kind
            out.append(entry)
        return out


class _Handler(http.server.BaseHTTPRequestHandler):
    registry: Registry
    server_version = "mlimage-referrers-registry"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _route(self) -> tuple[str, re.Match[str]] | None:
        path = self.path.split("?", 1)[0]
        for kind, pattern in _ROUTES.items():
            found = pattern.match(path)
            if found:
                return kind, found
        return None

    def _query(self) -> dict[str, str]:
        _, _, query = self.path.partition("?")
        pairs = (p.partition("=") for p in query.split("&") if p)
        return {k: v for k, _, v in pairs}

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _chunked(self) -> bytes:
        data = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(data)
            if len(data) + size > MAX_BODY:
                raise ValueError("body too large")
            data.extend(self.rfile.read(size))
            self.rfile.readline()  # the CRLF after the chunk

    def _send(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        route = self._route()
        reg = self.registry
        if route is None:
            self._send(404)
            return
        kind, m = route
        if kind == "base":
            self._send(200, b"{}", {"Content-Type": "application/json"})
        elif kind == "blob":
            with reg.lock:
                data = reg.blobs.get(m["digest"])
            if data is None:
                self._send(404)
            else:
                self._send(200, data, {"Docker-Content-Digest": m["digest"]})
        elif kind == "manifest":
            with reg.lock:
                held = reg.manifests.get(m["name"], {})
                digest = reg.tag_map.get(m["name"], {}).get(m["ref"], m["ref"])
                found = held.get(digest)
            if found is None:
                self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            else:
                media_type, data = found
                headers = {"Content-Type": media_type, "Docker-Content-Digest": digest}
                self._send(200, data, headers)
        elif kind == "tags":
            body = json.dumps({"name": m["name"], "tags": reg.tags(m["name"])})
            self._send(200, body.encode(), {"Content-Type": "application/json"})
        elif kind == "referrers":
            wanted = self._query().get("artifactType")
            listed = [
                r
                for r in reg.referrers(m["name"], m["digest"])
                if not wanted or r.get("artifactType") == wanted
            ]
            body = json.dumps(
                {"schemaVersion": 2, "mediaType": INDEX, "manifests": listed}
            ).encode()
            self._send(200, body, {"Content-Type": INDEX})
        else:
            self._send(405)

    def do_POST(self) -> None:  # noqa: N802
        route = self._route()
        if route is None or route[0] != "upload" or route[1]["id"]:
            self._send(404)
            return
        name = route[1]["name"]
        digest = self._query().get("digest", "").replace("%3A", ":")
        data = self._body()
        if digest:  # monolithic: POST ?digest= with the blob
            if _digest(data) != digest:
                self._send(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
                return
            with self.registry.lock:
                self.registry.blobs[digest] = data
            self._send(201, headers={"Location": f"/v2/{name}/blobs/{digest}"})
            return
        upload = str(uuid.uuid4())
        with self.registry.lock:
            self.registry.uploads[upload] = bytearray(data)
        self._send(
            202,
            headers={"Location": f"/v2/{name}/blobs/uploads/{upload}", "Range": "0-0"},
        )

    def do_PATCH(self) -> None:  # noqa: N802
        route = self._route()
        if route is None or route[0] != "upload":
            self._send(404)
            return
        name, upload = route[1]["name"], route[1]["id"]
        data = self._body()
        with self.registry.lock:
            if upload not in self.registry.uploads:
                self._send(404)
                return
            held = self.registry.uploads[upload]
            held.extend(data)
            end = len(held) - 1
        self._send(
            202,
            headers={
                "Location": f"/v2/{name}/blobs/uploads/{upload}",
                "Range": f"0-{max(end, 0)}",
            },
        )

    def do_PUT(self) -> None:  # noqa: N802
        route = self._route()
        if route is None:
            self._send(404)
            return
        kind, m = route
        data = self._body()
        reg = self.registry
        if kind == "upload":
            digest = self._query().get("digest", "").replace("%3A", ":")
            with reg.lock:
                held = reg.uploads.pop(m["id"], None)
            if held is None:
                self._send(404)
                return
            blob = bytes(held) + data
            if _digest(blob) != digest:
                self._send(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
                return
            with reg.lock:
                reg.blobs[digest] = blob
            self._send(201, headers={"Location": f"/v2/{m['name']}/blobs/{digest}"})
            return
        if kind != "manifest":
            self._send(405)
            return
        digest = _digest(data)
        ref = m["ref"]
        if ref.startswith("sha256:") and ref != digest:
            self._send(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
            return
        media_type = self.headers.get("Content-Type") or ""
        manifest = json.loads(data)
        with reg.lock:
            reg.manifests.setdefault(m["name"], {})[digest] = (media_type, data)
            if not ref.startswith("sha256:"):
                reg.tag_map.setdefault(m["name"], {})[ref] = digest
        headers = {
            "Location": f"/v2/{m['name']}/manifests/{digest}",
            "Docker-Content-Digest": digest,
        }
        subject = (manifest.get("subject") or {}).get("digest")
        if subject:
            headers["OCI-Subject"] = subject
        self._send(201, headers=headers)


@contextlib.contextmanager
def serving() -> Iterator[tuple[str, Registry]]:
    """The registry on a free 127.0.0.1 port: (HOST:PORT, its contents)."""
    registry = Registry()
    handler = type("Handler", (_Handler,), {"registry": registry})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", registry
    finally:
        server.shutdown()
        server.server_close()
