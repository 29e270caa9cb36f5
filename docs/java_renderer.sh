#!/bin/sh
# stardoc's renderer (its prebuilt jar, from Debian's bazel-stardoc) run on the
# JDK the build root already has for Bazel itself: rules_java's toolchains
# would download a JDK and java_tools, which this network cannot reach. The
# build root selects it (tools/buildroot/workspace.bazelrc); elsewhere //docs:renderer
# is stardoc's own java_binary.
set -eu
runfiles="${RUNFILES_DIR:-$0.runfiles}"
jar=$(find -L "$runfiles" -name renderer_prebuilt.jar -print -quit)
if [ -z "$jar" ]; then
  echo "java_renderer: renderer_prebuilt.jar is not in $runfiles" >&2
  exit 1
fi
exec java -cp "$jar" com.google.devtools.build.stardoc.renderer.RendererMain "$@"
