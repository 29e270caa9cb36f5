"""pypiserver's command line, as a Bazel binary on the dev_tools stack.

A real package index on loopback for real_index_test (the company mirror).
"""

import sys

from pypiserver.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
