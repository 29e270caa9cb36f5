"""A bounded loopback load test of the embedding service.

    tools/bazel run //tools/perf:load_test -- --url http://127.0.0.1:8000 \\
        [--concurrency 48] [--requests 144] [--batch 64] [--text-length 2048]
    tools/bazel run //tools/perf:load_test -- --url ... --oversize-bytes 1500000000 \\
        [--concurrency 2] [--framing chunked|content-length]

The first form sends ``--requests`` POST /embed of ``--batch`` texts of
``--text-length`` characters (the service's maxima by default) from
``--concurrency`` clients at once, while one more client polls GET /health
every 0.2 s; it reports throughput, latency percentiles, the answers by
status (503s carry Retry-After), and the slowest /health. The second form
streams bodies of ``--oversize-bytes`` (chunked, generated on the fly: the
client holds 1 MiB) and reports how each was answered.

Bounded on purpose: loopback addresses only, at most 256 clients, 10,000
requests, 4 GiB per oversized body. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

MAX_CONCURRENCY = 256
MAX_REQUESTS = 10_000
MAX_OVERSIZE = 4 * 1024**3
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WORDS = "the service embeds short and long texts alike under load".split()


@dataclass
class Outcome:
    status: int
    seconds: float
    retry_after: str | None = None
    error: str | None = None


@dataclass
class HealthLog:
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)


def connection(
    url: urllib.parse.SplitResult, timeout: float
) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(
        url.hostname or "", url.port or 80, timeout=timeout
    )


def text_of(length: int, seed: int) -> str:
    words = (WORDS[(seed + i) % len(WORDS)] for i in range(length))
    return " ".join(words)[:length]


def post_embed(url: urllib.parse.SplitResult, body: bytes, timeout: float) -> Outcome:
    started = time.monotonic()
    conn = connection(url, timeout)
    try:
        conn.request(
            "POST", "/embed", body=body, headers={"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
        return Outcome(
            response.status,
            time.monotonic() - started,
            response.getheader("Retry-After"),
        )
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(0, time.monotonic() - started, error=type(exc).__name__)
    finally:
        conn.close()


def poll_health(
    url: urllib.parse.SplitResult, stop: threading.Event, log: HealthLog
) -> None:
    while not stop.is_set():
        started = time.monotonic()
        conn = connection(url, 10)
        try:
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                log.failures[str(response.status)] += 1
        except (OSError, http.client.HTTPException) as exc:
            log.failures[type(exc).__name__] += 1
        finally:
            conn.close()
        log.latencies.append(time.monotonic() - started)
        stop.wait(0.2)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def load(args: argparse.Namespace, url: urllib.parse.SplitResult) -> int:
    bodies = [
        json.dumps(
            {
                "texts": [
                    text_of(args.text_length, r * args.batch + i)
                    for i in range(args.batch)
                ]
            }
        ).encode()
        for r in range(min(args.requests, 8))
    ]
    log, stop = HealthLog(), threading.Event()
    poller = threading.Thread(target=poll_health, args=(url, stop, log), daemon=True)
    poller.start()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        outcomes = list(
            pool.map(
                lambda r: post_embed(url, bodies[r % len(bodies)], args.timeout),
                range(args.requests),
            )
        )
    elapsed = time.monotonic() - started
    stop.set()
    poller.join()
    ok = [o.seconds for o in outcomes if o.status == 200]
    statuses = Counter(
        str(o.status) if o.status else (o.error or "error") for o in outcomes
    )
    refused = [o for o in outcomes if o.status == 503]
    with_retry = sum(1 for o in refused if o.retry_after)
    refused_max = max((o.seconds for o in refused), default=0.0)
    health = log.latencies
    lines = [
        f"load: {args.requests} POST /embed of {args.batch} x {args.text_length} "
        f"chars, {args.concurrency} clients, {elapsed:.1f} s",
        f"  answers: {dict(sorted(statuses.items()))}",
        f"  503 with Retry-After: {with_retry} of {len(refused)}, "
        f"answered within {refused_max:.3f} s",
        f"  throughput: {len(ok) / elapsed:.2f} batches/s, "
        f"{len(ok) * args.batch / elapsed:.1f} texts/s",
    ]
    if ok:
        lines.append(
            f"  latency of 200s: p50 {percentile(ok, 0.5):.2f} s, "
            f"p95 {percentile(ok, 0.95):.2f} s, p99 {percentile(ok, 0.99):.2f} s, "
            f"max {max(ok):.2f} s"
        )
    lines.append(
        f"  GET /health during the load: {len(health)} polls, "
        f"p50 {percentile(health, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(health, 0.99) * 1000:.0f} ms, "
        f"max {max(health, default=0) * 1000:.0f} ms, failures {dict(log.failures)}"
    )
    print("\n".join(lines))
    slow = [h for h in health if h >= 1.0]
    return 1 if slow or log.failures or statuses.get("500") else 0


def chunks(total: int) -> Iterator[bytes]:
    block = b" " * (1024 * 1024)
    sent = 0
    while sent < total:
        n = min(len(block), total - sent)
        sent += n
        yield block[:n]


def oversize(args: argparse.Namespace, url: urllib.parse.SplitResult) -> int:
    def send(_: int) -> Outcome:
        started = time.monotonic()
        conn = connection(url, args.timeout)
        try:
            conn.putrequest("POST", "/embed")
            conn.putheader("Content-Type", "application/json")
            chunked = args.framing == "chunked"
            if chunked:
                conn.putheader("Transfer-Encoding", "chunked")
            else:
                conn.putheader("Content-Length", str(args.oversize_bytes))
            conn.endheaders()
            try:
                for chunk in chunks(args.oversize_bytes):
                    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
                    conn.send(framed if chunked else chunk)
                if chunked:
                    conn.send(b"0\r\n\r\n")
            except OSError:
                pass  # the server answered and closed while we were sending
            response = conn.getresponse()
            response.read()
            return Outcome(response.status, time.monotonic() - started)
        except (OSError, http.client.HTTPException) as exc:
            return Outcome(0, time.monotonic() - started, error=type(exc).__name__)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        outcomes = list(pool.map(send, range(args.concurrency)))
    for o in outcomes:
        print(
            f"oversize: {args.oversize_bytes} bytes ({args.framing}) -> "
            f"{o.status or o.error} in {o.seconds:.2f} s"
        )
    conn = connection(url, 10)
    conn.request("GET", "/health")
    health = conn.getresponse()
    print(
        f"oversize: GET /health afterwards -> {health.status} {health.read()[:120]!r}"
    )
    return 0 if health.status == 200 and all(o.status == 413 for o in outcomes) else 1


def bounded(low: int, high: int) -> object:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value}: expected {low} to {high}")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=bounded(1, MAX_CONCURRENCY), default=48)
    parser.add_argument("--requests", type=bounded(1, MAX_REQUESTS), default=144)
    parser.add_argument("--batch", type=bounded(1, 1024), default=64)
    parser.add_argument("--text-length", type=bounded(1, 100_000), default=2048)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--oversize-bytes", type=bounded(1, MAX_OVERSIZE), default=0)
    parser.add_argument(
        "--framing", choices=["chunked", "content-length"], default="chunked"
    )
    args = parser.parse_args(argv)
    url = urllib.parse.urlsplit(args.url)
    if url.scheme != "http" or url.hostname not in LOOPBACK:
        parser.error(f"{args.url}: only http:// on a loopback address")
    return oversize(args, url) if args.oversize_bytes else load(args, url)


if __name__ == "__main__":
    sys.exit(main())
