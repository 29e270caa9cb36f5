#!/bin/sh
# Bazel workspace status for `--stamp` (image labels): the commit checked out.
# Read from .git with sh alone, since the build root has no git.
gitdir=.git
if [ -f .git ]; then
  gitdir=$(sed -n 's/^gitdir: //p' .git)
fi
head=$(cat "$gitdir/HEAD" 2>/dev/null) || exit 0
case "$head" in
  ref:*)
    ref=${head#ref: }
    commit=$(cat "$gitdir/$ref" 2>/dev/null || sed -n "s| $ref\$||p" "$gitdir/packed-refs" 2>/dev/null)
    ;;
  *) commit=$head ;;
esac
[ -n "$commit" ] && echo "STABLE_GIT_COMMIT $commit"
remote=$(sed -n '/^\[remote "origin"\]/,/^\[/s/^[[:space:]]*url = //p' "$gitdir/config" 2>/dev/null | head -n 1)
[ -n "$remote" ] && echo "STABLE_GIT_REMOTE $remote"
exit 0
