"""Run a tool as a Bazel persistent worker (the JSON protocol), or once.

A tool whose actions Bazel may hand to a worker ends with
`worker.run(PROG, main)` instead of `cli.run(PROG, main)`. Started with
`--persistent_worker`, it reads one JSON WorkRequest a line on stdin and
answers one WorkResponse a line on stdout, calling `main(arguments)` for
each: one interpreter start for a whole build instead of one per action
(about 150 ms each in the build root, most of an app-only rebuild). Started
otherwise (a remote worker, `--strategy=...=linux-sandbox`, a person), it runs
once on its command line, where `@FILE` stands for FILE's lines (Bazel's
parameter file).

A request's output is what `main` printed, on either stream. Anything
written to the process's own stdout (a child process, say) goes to its
stderr, Bazel's worker log, so it cannot corrupt the protocol. When stdin
closes (Bazel's server ended, even by `kill -9`) the worker exits at once,
mid-request or not: it never goes on writing outputs for a build that is
gone. Requests are independent: `main` must keep no state between calls.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, TextIO

from rules_common import cli

Main = Callable[[Sequence[str] | None], int]
FLAG = "--persistent_worker"
# A request line longer than this is not Bazel's: refuse it, don't buffer it.
MAX_REQUEST_BYTES = 16 << 20


def expand_params(argv: Sequence[str]) -> list[str]:
    """`@FILE` arguments replaced by FILE's lines (Bazel's multiline format)."""
    out: list[str] = []
    for arg in argv:
        if arg.startswith("@") and not arg.startswith("@@"):
            try:
                with open(arg[1:], encoding="utf-8") as f:
                    out.extend(f.read().splitlines())
            except OSError as e:
                raise cli.UserError(f"parameter file {arg[1:]}: {e.strerror}") from None
        else:
            out.append(arg[1:] if arg.startswith("@@") else arg)
    return out


def _with_params(main: Main) -> Main:
    def expanded(argv: Sequence[str] | None) -> int:
        return main(expand_params(argv or []))

    return expanded


def handle(prog: str, main: Main, request: Any) -> dict[str, Any]:
    """One WorkRequest -> its WorkResponse."""
    if not isinstance(request, dict):
        return {"exitCode": 1, "output": f"{prog}: a WorkRequest must be an object\n"}
    request_id = request.get("requestId", 0)
    arguments = request.get("arguments", [])
    if not isinstance(arguments, list) or not all(
        isinstance(a, str) for a in arguments
    ):
        return {
            "exitCode": 1,
            "output": f"{prog}: WorkRequest.arguments must be a list of strings\n",
            "requestId": request_id,
        }
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code = cli.guarded(prog, _with_params(main), arguments)
    except SystemExit as e:  # argparse on bad arguments
        code = e.code if isinstance(e.code, int) else 1
    except Exception:  # a bug: the action fails with the traceback, the worker lives
        output.write(traceback.format_exc())
        code = 1
    return {"exitCode": code, "output": output.getvalue(), "requestId": request_id}


def _read_requests(stdin: BinaryIO, requests: queue.Queue[bytes | None]) -> None:
    while True:
        line = stdin.readline(MAX_REQUEST_BYTES + 1)
        if not line or len(line) > MAX_REQUEST_BYTES:
            requests.put(None)
            return
        if line.strip():
            requests.put(line)


def serve(
    prog: str,
    main: Main,
    stdin: BinaryIO,
    protocol_out: TextIO,
    on_close: Callable[[], None],
) -> None:
    """Answer requests until stdin closes, and call `on_close` when it does.

    stdin is read on a thread of its own, so its end is seen while a request
    is still running; `run`'s on_close exits the process there and then.
    """
    requests: queue.Queue[bytes | None] = queue.Queue()
    reader = threading.Thread(
        target=_read_requests, args=(stdin, requests), daemon=True
    )
    reader.start()

    def watch() -> None:
        reader.join()
        on_close()

    threading.Thread(target=watch, daemon=True).start()
    while True:
        line = requests.get()
        if line is None:
            return
        try:
            request = json.loads(line)
        except json.JSONDecodeError as e:
            request = None
            response = {"exitCode": 1, "output": f"{prog}: bad WorkRequest: {e}\n"}
        else:
            response = handle(prog, main, request)
        protocol_out.write(json.dumps(response) + "\n")
        protocol_out.flush()


def run(prog: str, main: Main) -> None:
    """The tool's entry point: a persistent worker under `--persistent_worker`."""
    if FLAG not in sys.argv[1:]:
        sys.exit(cli.guarded(prog, _with_params(main), sys.argv[1:]))
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # strays to the worker log, not into the protocol
    sys.stdout = sys.stderr
    serve(prog, main, sys.stdin.buffer, protocol_out, lambda: os._exit(0))
    sys.exit(0)
