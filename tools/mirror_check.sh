#!/usr/bin/env bash
# A build behind a download mirror, with PyPI's and Debian's hosts blocked
# (docs/INDEXES.md, "Mirrors for downloads"): every wheel and .deb a target
# needs must come from the mirror, by the sha256 its lock pins.
#
# Usage: tools/mirror_check.sh [--without GLOB] [TARGET...]   (default //:image)
#   --without GLOB: leave the files matching GLOB (e.g. 'idna-*') out of the
#   mirror; the fetch must then fail, since their hosts are blocked: the
#   check shown failing.
#
# 1. A mirror on 127.0.0.1: every file of every wheels.lock.json and Debian
#    lock.json that the repository cache holds, hard-linked (no copy) at
#    <host>/<path> of its URL, served by Python's http.server.
# 2. A downloader config that rewrites files.pythonhosted.org, deb.debian.org
#    and security.debian.org to it, and blocks those hosts and pypi.org.
# 3. `tools/bazel fetch TARGET` in a new output base with an empty repository
#    cache, through that config. It succeeds only if every download came from
#    the mirror. Then each file the mirror served is counted.
# Run a build first, so that the repository cache holds the files. Disk: the
# fetched repositories (about 4 GB for //:image), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
without=""
if [[ "${1:-}" == --without ]]; then
  without=$2
  shift 2
fi
(( $# > 0 )) || set -- //:image
root=${MLIMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlimage}/bazel/mirror-check
repository_cache=$(tools/bazel info repository_cache 2>/dev/null)
rm -rf "$root"
mkdir -p "$root/mirror" "$root/empty-cache"
cleanup() {
  [[ -n "${server:-}" ]] && kill "$server" 2>/dev/null
  tools/bazel --output_base="$root/output" clean --expunge >/dev/null 2>&1 || true
  tools/bazel --output_base="$root/output" shutdown >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT

# 1. the mirror
linked=$(git ls-files '*wheels.lock.json' 'third_party/debian/*/lock.json' | python3 -c '
import json, os, sys, urllib.parse
cache, mirror = sys.argv[1], sys.argv[2]
linked = 0
for path in sys.stdin.read().split():
    with open(path) as f:
        data = json.load(f)
    entries = [(w["url"], w["sha256"]) for w in data.get("wheels", {}).values()]
    entries += [(u, p["sha256"]) for p in data.get("packages", {}).values() for u in p["urls"]]
    for url, sha in entries:
        source = os.path.join(cache, "content_addressable", "sha256", sha, "file")
        parts = urllib.parse.urlsplit(url)
        target = os.path.join(mirror, parts.netloc, urllib.parse.unquote(parts.path).lstrip("/"))
        if os.path.exists(source) and not os.path.exists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(source, target)
            linked += 1
print(linked)
' "$repository_cache" "$root/mirror")
if [[ -n "$without" ]]; then
  dropped=$(find "$root/mirror" -type f -name "$without" -print -delete | wc -l)
  echo "mirror_check: left $dropped file(s) matching $without out of the mirror"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$root/mirror" >"$root/mirror.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.1
done
echo "mirror_check: $linked files hard-linked into the mirror at http://127.0.0.1:$port/"

# 2. the downloader config
cat >"$root/mirror.cfg" <<EOF
rewrite (files.pythonhosted.org|deb.debian.org|security.debian.org)/(.*) http://127.0.0.1:$port/\$1/\$2
block files.pythonhosted.org
block pypi.org
block deb.debian.org
block security.debian.org
EOF

# 3. the fetch
status=0
if ! tools/bazel --output_base="$root/output" fetch \
  --repository_cache="$root/empty-cache" \
  --experimental_downloader_config="$root/mirror.cfg" "$@" >"$root/fetch.log" 2>&1; then
  tail -n 30 "$root/fetch.log" >&2
  echo "mirror_check: the fetch through the mirror failed (above)" >&2
  status=1
fi
served=$(grep -c '"GET /[^ ]* HTTP/1.1" 200' "$root/mirror.log" || true)
refused=$(grep -cE '"GET /[^ ]* HTTP/1.1" [45][0-9][0-9]' "$root/mirror.log" || true)
echo "mirror_check: the mirror served $served files ($refused requests refused); PyPI's and Debian's hosts were blocked"
if (( status == 0 && served == 0 )); then
  echo "mirror_check: nothing came from the mirror: the rewrite did not apply" >&2
  status=1
fi
exit "$status"
