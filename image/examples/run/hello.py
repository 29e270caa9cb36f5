"""What run_test's image runs: its user, its env, its arguments."""

import os
import sys

print(f"hello {os.environ['WHO']} as {os.getuid()} in {os.getcwd()}: {sys.argv[1:]}")
sys.exit(int(os.environ.get("EXIT", "0")))
