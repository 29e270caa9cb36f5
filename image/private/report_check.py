"""Open an image report in headless Chromium: it must draw, with no console message.

    python3 -m image.private.report_check --chromium-root ROOT REPORT.html \
        [--screenshot OUT.png]

ROOT is Chromium's Debian root (pinned sid .debs): it runs through that
root's own loader and libraries, with the root's fonts, in a temporary
HOME, with no network (`--headless`, a `file://` page whose policy allows
no fetch). The page passes when
- Chromium logged no console message (an uncaught error, a blocked
  resource, a `console.*` call: the report makes none);
- its script marked `<body data-rendered>` with one bar per layer and per
  heaviest distribution of the data it embeds, and the dumped DOM holds
  those bars in `#layer-chart`.
`--screenshot` also saves the page as Chromium draws it (the picture in
docs/); in a test, MLIMAGE_REPORT_SCREENSHOT=1 saves it among the test's
undeclared outputs. Each failure is named; exit 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import cli  # noqa: E402

PROG = "report_check"
# In a test, `--test_env=MLIMAGE_REPORT_SCREENSHOT=1` saves the screenshot as
# an undeclared output (bazel-testlogs/<test>/test.outputs/report.png).
SCREENSHOT_ENV = "MLIMAGE_REPORT_SCREENSHOT"
TIMEOUT_S = 120
WINDOW = "1280,2200"
_DATA = re.compile(
    r'<script type="application/json" id="report-data">(.*?)</script>', re.S
)
_RENDERED = re.compile(r'<body[^>]* data-rendered="([^"]*)"')
_CONSOLE = re.compile(r":CONSOLE[:(].*")
_CHART = re.compile(r'<svg id="layer-chart".*?</svg>', re.S)
_LIBRARY_DIRS = (
    "lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu/pulseaudio",
    "usr/lib/chromium",
)
_FLAGS = (
    "--headless",
    "--no-sandbox",  # the test's own sandbox is the boundary; no setuid helper
    "--no-zygote",
    "--disable-gpu",
    "--no-first-run",
    "--disable-extensions",
    "--disable-background-networking",
    "--enable-logging=stderr",
    "--log-level=0",
)


@contextlib.contextmanager
def chromium(root: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The command that runs Chromium from `root`, set up in a temporary directory.

    Chromium finds its data (ICU, V8 snapshots, resources) beside
    /proc/self/exe, which is the loader when the loader runs it: the loader
    is copied into a directory that links to Chromium's own files. Its
    child processes start through the same launcher.
    """
    root = os.path.abspath(root)
    binary = os.path.join(root, "usr/lib/chromium/chromium")
    if not os.path.isfile(binary):
        raise cli.UserError(f"--chromium-root {root}: no usr/lib/chromium/chromium")
    with tempfile.TemporaryDirectory(prefix="chromium-") as tmp:
        app = os.path.join(tmp, "app")
        os.mkdir(app)
        for name in os.listdir(os.path.dirname(binary)):
            os.symlink(
                os.path.join(os.path.dirname(binary), name), os.path.join(app, name)
            )
        loader = os.path.join(app, "ld.so")
        shutil.copyfile(
            os.path.join(root, "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), loader
        )
        os.chmod(loader, 0o755)
        libraries = ":".join(os.path.join(root, d) for d in _LIBRARY_DIRS)
        launcher = os.path.join(tmp, "chromium")
        with open(launcher, "w") as f:
            f.write(
                "#!/bin/sh\n"
                f'exec "{loader}" --library-path "{libraries}" --argv0 chromium '
                f'"{binary}" "$@"\n'
            )
        os.chmod(launcher, 0o755)
        fonts = os.path.join(tmp, "fonts.conf")
        with open(fonts, "w") as f:
            f.write(
                '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                f"<fontconfig><dir>{root}/usr/share/fonts</dir>"
                f"<cachedir>{tmp}/fontconfig</cachedir></fontconfig>\n"
            )
        env = {
            "FONTCONFIG_FILE": fonts,
            "HOME": tmp,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TMPDIR": tmp,
        }
        yield [launcher, *_FLAGS, f"--browser-subprocess-path={launcher}"], env


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def expected(page: str) -> dict[str, int]:
    """How many bars the page's own data asks for."""
    found = _DATA.search(page)
    if not found:
        raise cli.UserError("no embedded report data (script#report-data)")
    data = json.loads(found.group(1))
    return {"layers": len(data["layers"]), "distributions": len(data["distributions"])}


def problems(page: str, dom: str, log: str) -> list[str]:
    """What is wrong with the page as Chromium ran it."""
    found = [line.strip() for line in _CONSOLE.findall(log)]
    out = [f"console: {line}" for line in found]
    want = expected(page)
    rendered = _RENDERED.search(dom)
    if not rendered:
        out.append("the script did not finish: <body> has no data-rendered")
    else:
        drawn = dict(
            item.split("=", 1) for item in rendered.group(1).split() if "=" in item
        )
        for key, count in want.items():
            if drawn.get(key) != str(count):
                out.append(f"drew {drawn.get(key, 0)} {key} bars of {count}")
    chart = _CHART.search(dom)
    bars = chart.group(0).count('class="bar"') if chart else 0
    if bars != want["layers"]:
        out.append(
            f"#layer-chart holds {bars} bars, the image has {want['layers']} layers"
        )
    return out


def check(root: str, report: str, screenshot: str | None) -> list[str]:
    with open(report, encoding="utf-8") as f:
        page = f.read()
    url = "file://" + os.path.abspath(report)
    with chromium(root) as (command, env):
        dumped = _run([*command, "--dump-dom", url], env)
        if dumped.returncode != 0:
            tail = dumped.stderr.strip().splitlines()[-3:]
            return [f"chromium exited {dumped.returncode}: {' | '.join(tail)}"]
        found = problems(page, dumped.stdout, dumped.stderr)
        if screenshot and not found:
            shot = _run(
                [
                    *command,
                    f"--screenshot={os.path.abspath(screenshot)}",
                    f"--window-size={WINDOW}",
                    url,
                ],
                env,
            )
            if shot.returncode != 0 or not os.path.isfile(screenshot):
                found.append(f"no screenshot: chromium exited {shot.returncode}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--chromium-root", required=True)
    parser.add_argument("--screenshot", help="save the page as drawn (PNG)")
    parser.add_argument("report")
    args = parser.parse_args(argv)
    screenshot = args.screenshot
    outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    if screenshot is None and outputs and os.environ.get(SCREENSHOT_ENV) == "1":
        screenshot = os.path.join(outputs, "report.png")
    found = check(args.chromium_root, args.report, screenshot)
    for problem in found:
        print(f"{PROG}: {args.report}: {problem}", file=sys.stderr)
    if not found:
        print(f"{args.report}: drawn in headless Chromium, no console message")
    return 1 if found else 0


if __name__ == "__main__":
    cli.run(PROG, main)
