"""Run the embedding service with plain uvicorn.

    python3 -m app.server [--host HOST] [--port PORT]

Flags win over the ``HOST`` (default 127.0.0.1) and ``PORT`` (default 8000)
environment variables. The image runs it with ``--host 0.0.0.0``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port out of range 1-65535: {port}")
    return port


def parse_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> argparse.Namespace:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="app.server", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--host",
        default=env.get("HOST") or DEFAULT_HOST,
        help=f"address to bind (env HOST, default {DEFAULT_HOST})",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=env.get("PORT") or str(DEFAULT_PORT),
        help=f"port to bind (env PORT, default {DEFAULT_PORT})",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    import uvicorn

    from app.main import app

    uvicorn.run(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
