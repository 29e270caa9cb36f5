#!/bin/sh
# Copies each generated <name>.generated.md (the arguments) to docs/api/<name>.md
# in the source tree.
set -eu
: "${BUILD_WORKSPACE_DIRECTORY:?run this with tools/bazel run //docs:update}"
for generated in "$@"; do
  name=$(basename "$generated" .generated.md)
  cp "$generated" "$BUILD_WORKSPACE_DIRECTORY/docs/api/$name.md"
  chmod 0644 "$BUILD_WORKSPACE_DIRECTORY/docs/api/$name.md"
  echo "docs/api/$name.md"
done
