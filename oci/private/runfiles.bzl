"""The shell programs the rules write: how they find their runfiles, and how they quote."""

def runfile(f):
    """A file's path below the runfiles directory (`_main/...`, `<repo>/...`)."""
    if f.short_path.startswith("../"):
        return f.short_path[len("../"):]
    return "_main/" + f.short_path

def shell_quote(text):
    """`text` as one POSIX shell word (single-quoted)."""
    return "'" + text.replace("'", "'\\''") + "'"

# Sets and exports RUNFILES_DIR: the caller's (a multirun, `bazel run`), the
# program's own `$0.runfiles`, or, for a program that is itself a runfile of
# another (a test's data), the runfiles tree it lies in.
RUNFILES_PRELUDE = """\
if [[ -z "${RUNFILES_DIR:-}" ]]; then
  if [[ -d "$0.runfiles" ]]; then
    RUNFILES_DIR="$0.runfiles"
  elif [[ "$0" == *.runfiles/* ]]; then
    RUNFILES_DIR="${0%%.runfiles/*}.runfiles"
  else
    echo "$0: cannot find its runfiles (no $0.runfiles, no RUNFILES_DIR)" >&2
    exit 127
  fi
fi
export RUNFILES_DIR
"""
