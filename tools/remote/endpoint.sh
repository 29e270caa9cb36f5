# The remote endpoint from the environment, as a bazelrc (sourced by
# tools/bazel; tested by endpoint_test.sh).
#
#   MLIMAGE_REMOTE_ENDPOINT  grpc://, grpcs:// or unix:// address of a Remote
#                            Execution API server (cache and execution)
#   MLIMAGE_REMOTE_INSTANCE  its instance name
#   MLIMAGE_REMOTE_PORT      the loopback engine's port (tools/remote/up):
#                            grpc://127.0.0.1:PORT unless an endpoint is set
#
# They redefine what .bazelrc's `remote_endpoint` and `remote` configs point
# at, and only those: a build without --config=remote or remote_cache stays
# local. The file is read after .bazelrc and .bazelrc.user, so the
# environment wins over both; a flag on the command line wins over all.

# Print the bazelrc lines the environment asks for (nothing when it asks for
# none); fail, naming the variable, on a value that is not an address.
remote_endpoint_rc() {
  local endpoint=${MLIMAGE_REMOTE_ENDPOINT:-} instance=${MLIMAGE_REMOTE_INSTANCE:-}
  local port=${MLIMAGE_REMOTE_PORT:-}
  if [[ -z "$endpoint" && -n "$port" ]]; then
    if [[ ! "$port" =~ ^[0-9]{2,5}$ ]] || (( 10#$port > 65535 )); then
      echo "tools/bazel: MLIMAGE_REMOTE_PORT='${port:0:40}' is not a port number" >&2
      return 2
    fi
    endpoint="grpc://127.0.0.1:$((10#$port))"
  fi
  if [[ -n "$endpoint" ]]; then
    # A bazelrc line splits at whitespace and would take a second flag: only
    # the characters of a URL's scheme, host, port and path are allowed.
    local url_re='^(grpc|grpcs|unix)://[]A-Za-z0-9._~%:/@[-]+$'
    if (( ${#endpoint} > 256 )) || [[ ! "$endpoint" =~ $url_re ]]; then
      echo "tools/bazel: MLIMAGE_REMOTE_ENDPOINT='${endpoint:0:80}' is not a grpc://, grpcs:// or unix:// address (at most 256 characters of [A-Za-z0-9._~%:/@[]-])" >&2
      return 2
    fi
    printf 'build:remote_endpoint --remote_cache=%s\n' "$endpoint"
    printf 'build:remote --remote_executor=%s\n' "$endpoint"
  fi
  if [[ -n "$instance" ]]; then
    if (( ${#instance} > 128 )) || [[ ! "$instance" =~ ^[A-Za-z0-9._/-]+$ ]]; then
      echo "tools/bazel: MLIMAGE_REMOTE_INSTANCE='${instance:0:80}' is not an instance name (at most 128 characters of [A-Za-z0-9._/-])" >&2
      return 2
    fi
    printf 'build:remote_endpoint --remote_instance_name=%s\n' "$instance"
  fi
}

# The startup options that make Bazel read those lines: none when the
# environment asks for nothing; else --bazelrc of the user's own rc (which
# --bazelrc would otherwise replace), then of FILE, written with the lines.
# Sets remote_startup_options (an array).
remote_startup_options=()
remote_endpoint_startup() {
  local file=$1 home_rc=$2 lines
  remote_startup_options=()
  lines=$(remote_endpoint_rc) || return 2
  if [[ -z "$lines" ]]; then
    rm -f "$file"
    return 0
  fi
  mkdir -p "$(dirname "$file")"
  printf '# Written by tools/bazel from MLIMAGE_REMOTE_* (tools/remote/endpoint.sh).\n%s\n' "$lines" >"$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
  if [[ -n "$home_rc" && -f "$home_rc" ]]; then
    remote_startup_options+=("--bazelrc=$home_rc")
  fi
  remote_startup_options+=("--bazelrc=$file")
}
