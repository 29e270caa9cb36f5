"""BuildGrid's command line (`bgd`), on the hermetic Python 3.13 and the
hash-pinned stack of tools/remote/requirements_lock.txt."""

import sys

from buildgrid.server.app.cli import cli

if __name__ == "__main__":
    sys.exit(cli())
