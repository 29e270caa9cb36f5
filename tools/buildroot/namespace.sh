# The build root's namespace, shared by tools/bazel and tools/remote/up
# (source this file after setting: workspace, root, output_root).
#
# Bazel runs in the build root's namespace (tools/buildroot/init.sh: its own
# PID namespace and /proc, a minimal /dev, no /sys, the root read-only, only
# the work tree and the output root writable), one per work tree, started on
# first use and ended by the kernel when nothing runs in it any more (the
# Bazel server stopped, tools/remote/down). Every call enters it with nsenter
# and runs as builder, an unprivileged uid (the work tree and the output root
# are idmapped to it), with no capabilities and no_new_privs.
builder_uid=61000
# What runs inside sees only this environment.
run_env=(/usr/bin/env -i --chdir=/ HOME=/home/builder USER=builder LOGNAME=builder LANG=C.UTF-8 "TERM=${TERM:-dumb}" "CI=${CI:-}"
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
# An explicit proxy is the only way out of some networks: Bazel's downloader
# and pip-compile read these, so they pass through (nothing else does).
for proxy_var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  if [[ -n "${!proxy_var:-}" ]]; then run_env+=("$proxy_var=${!proxy_var}"); fi
done
ns_key=$(printf %s "$workspace" | md5sum | cut -d' ' -f1)
ns_state="$output_root/namespaces/$ns_key"
ns_pid=""
# What the namespace is made of: the build root and this init program.
ns_program=$(<"$workspace/tools/buildroot/init.sh")
ns_key_now="$root:$(printf %s "$ns_program" | sha256sum | cut -c1-12)"

# The namespace's PID 1, if it runs for this build root.
buildroot_ns_find() {
  local pid made_of
  ns_pid=""
  read -r pid made_of < <(buildroot_ns_running "$ns_state") || return 1
  if [[ "$made_of" != "$ns_key_now" ]]; then
    # Made of another build root or init program (the lock or the scripts
    # changed): end it, and with it the Bazel server inside, so the new one
    # owns the output base.
    buildroot_log "stopping the namespace made of $made_of (now $ns_key_now)"
    kill -KILL "$pid" 2>/dev/null || true
    return 1
  fi
  ns_pid=$pid
}

# A Bazel server from before namespaces (its server.pid.txt PID is a host PID
# whose command line names this output base) would hold the output base lock:
# stop it.
buildroot_stop_unnamespaced_server() {
  local pid
  pid=$(cat "$output_root/$ns_key/server/server.pid.txt" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--output_base=$output_root/$ns_key"; then
    buildroot_log "stopping the Bazel server (pid $pid) started outside the build root's namespace"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

buildroot_ns_start() {
  buildroot_stop_unnamespaced_server
  mkdir -p "$ns_state"
  rm -f "$ns_state/init.pid"
  setsid unshare --mount --pid --fork --propagation private -- \
    /bin/bash -c "$ns_program" init.sh "$root" "$workspace" "$output_root" "$ns_state" "$builder_uid" "$ns_key_now" \
    </dev/null >"$ns_state/init.log" 2>&1 &
  for _ in $(seq 100); do
    buildroot_ns_find && return 0
    sleep 0.1
  done
  buildroot_die "the build root's namespace did not start; see $ns_state/init.log"
}

# Run a command in the namespace as builder, with run_env's environment.
buildroot_exec() {
  buildroot_ns_find || buildroot_ns_start
  nsenter --target "$ns_pid" --mount --pid --root --wd=/ -- \
    /usr/bin/setpriv --reuid="$builder_uid" --regid="$builder_uid" --clear-groups \
    --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs -- \
    "${run_env[@]}" "$@"
}
