"""One loopback index for pip-compile, each project served from its one index.

pip-compile given two indexes (`--extra-index-url`) merges what both offer
under a name, and the higher version wins: a package published on the public
index under a private package's name is taken (dependency confusion). So
pip-compile is given a single index instead: this router, on 127.0.0.1,
whose page for each project is the page of the index the stack's
indexes.json assigns it (the default one otherwise), and nothing else.

Files and their PEP 658 metadata are served through the router too, so the
credentials of an index stay in this process (simple_index.credentials) and
pip never sees them, and pip cannot fetch a file from anywhere but the
index that listed it. Pages are PEP 691 JSON whatever the upstream serves.

Standard library only.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypi.private import simple_index
from pypi.private.index_config import IndexConfig
from pypi.private.pip_lock_file import normalize_name
from rules_common.cli import UserError, log


class _State:
    def __init__(self, config: IndexConfig, get: simple_index.Get) -> None:
        self.config = config
        self.get = get
        self.lock = threading.Lock()
        # token -> (index, upstream URL): only what a served page listed.
        self.files: dict[str, tuple[simple_index.Index, str]] = {}
        self.errors: list[str] = []

    def page(self, project: str) -> dict[str, Any] | None:
        index = self.config.index_for(project)
        files = simple_index.project_files(index, project, self.get)
        if not files:
            return None
        entries = []
        for f in files:
            token = hashlib.sha256(f["url"].encode()).hexdigest()[:24]
            with self.lock:
                self.files[token] = (index, f["url"])
            name = urllib.parse.quote(f["filename"])
            entry: dict[str, Any] = {
                "filename": f["filename"],
                "url": f"/files/{token}/{name}",
                "hashes": {"sha256": f["sha256"]} if f["sha256"] else {},
                "yanked": f["yanked"],
            }
            if f["requires_python"]:
                entry["requires-python"] = f["requires_python"]
            if f["core_metadata"]:
                entry["core-metadata"] = True
            entries.append(entry)
        return {"meta": {"api-version": "1.1"}, "name": project, "files": entries}


def _handler(state: _State) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path).path.split("/")
            try:
                if len(parts) == 4 and parts[1] == "simple" and parts[3] == "":
                    self._project(parts[2])
                elif len(parts) == 4 and parts[1] == "files":
                    self._file(parts[2], urllib.parse.unquote(parts[3]))
                else:
                    self._send(404, "text/plain", b"not found\n")
            except UserError as e:
                with state.lock:
                    state.errors.append(str(e))
                self._send(502, "text/plain", str(e).encode() + b"\n")

        def _project(self, name: str) -> None:
            project = normalize_name(name)
            page = state.page(project)
            if page is None:
                index = state.config.index_for(project)
                why = (
                    f"assigned to it in {state.config.source}"
                    if project in state.config.packages
                    else "the default index"
                )
                log(
                    f"index_router: {project}: index {index.name} "
                    f"({simple_index.redact(index.url)}, {why}) has no such project"
                )
                self._send(404, "text/plain", b"no such project\n")
            else:
                self._send(200, simple_index.SIMPLE_JSON, json.dumps(page).encode())

        def _file(self, token: str, filename: str) -> None:
            with state.lock:
                found = state.files.get(token)
            if found is None:
                self._send(404, "text/plain", b"not a file a page listed\n")
                return
            index, url = found
            if filename.endswith(".metadata") and not url.endswith(".metadata"):
                url += ".metadata"
            request = urllib.request.Request(
                url, headers={"User-Agent": "mlimage-lock-tools"}
            )
            simple_index.authorize(request, index)
            try:
                with simple_index.OPENER.open(request, timeout=300) as response:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    length = response.headers.get("Content-Length")
                    if length:
                        self.send_header("Content-Length", length)
                    self.end_headers()
                    shutil.copyfileobj(response, self.wfile, 1 << 20)
            except urllib.error.HTTPError as e:
                e.close()
                self._send(e.code, "text/plain", b"upstream error\n")
            except OSError as e:
                raise UserError(
                    f"index {index.name}: cannot fetch {simple_index.redact(url)}: "
                    f"{getattr(e, 'reason', type(e).__name__)}"
                ) from None

    return Handler


@contextmanager
def serve(
    config: IndexConfig, get: simple_index.Get = simple_index.http_get
) -> Iterator[str]:
    """Runs the router on 127.0.0.1 for the block; yields its simple API root.

    Raises UserError after the block if an upstream index failed while
    pip-compile was asking, so its own (vaguer) message is not the last word.
    """
    state = _State(config, get)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/simple/"
    log(
        "index_router: pip-compile resolves against "
        + ", ".join(
            f"{i.name} ({simple_index.redact(i.url)})" for i in config.indexes.values()
        )
        + f", one index per package ({config.source}), through {url}"
    )
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
    if state.errors:
        raise UserError("\n".join(sorted(set(state.errors))))
