# The loopback engine's state directory (STATE: PIDs, ports, the work tree
# that started it): whether the engine it describes still runs. Sourced by
# tools/remote/up and down; tested by state_test.py.
#
# An engine runs when one of its recorded ports answers on 127.0.0.1 (its
# processes share the host's network). State whose engine answers on none is
# what a killed engine leaves behind: a session or CI run that ended, a
# machine that restarted. Starting over it must not fail, and PostgreSQL must
# not mistake its stale postmaster.pid for a live server.

remote_default_ports=(50051 50052 55432)

# The engine's ports, "BUILDGRID CASD POSTGRES": MLIMAGE_REMOTE_PORT,
# MLIMAGE_REMOTE_CAS_PORT and MLIMAGE_REMOTE_PG_PORT, the defaults where unset
# (engine.sh checks that each is a port number).
remote_ports_from_env() {
  printf '%s %s %s\n' "${MLIMAGE_REMOTE_PORT:-${remote_default_ports[0]}}" \
    "${MLIMAGE_REMOTE_CAS_PORT:-${remote_default_ports[1]}}" "${MLIMAGE_REMOTE_PG_PORT:-${remote_default_ports[2]}}"
}

# The ports STATE records (BuildGrid, casd, PostgreSQL), one per line; the
# defaults for state from before ports were recorded.
remote_state_ports() {
  local state=$1 ports=() port
  if [[ -f "$state/ports" ]]; then
    read -r -a ports <"$state/ports" || true
  fi
  (( ${#ports[@]} > 0 )) || ports=("${remote_default_ports[@]}")
  for port in "${ports[@]:0:3}"; do
    [[ "$port" =~ ^[0-9]{2,5}$ ]] && printf '%s\n' "$port"
  done
  return 0
}

# 0 when STATE describes an engine that answers, printing the first port that does.
remote_state_answers() {
  local state=$1 port
  while IFS= read -r port; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done < <(remote_state_ports "$state")
  return 1
}

# Make STATE ready for a new engine. 0: no engine was recorded, or the one
# recorded is gone and its leftovers were removed (said on stderr); 1: it still
# answers (said on stderr, naming the work tree that started it and the port).
remote_state_clear_stale() {
  local state=$1 started_from port
  [[ -f "$state/workspace" ]] || return 0
  started_from=$(head -c 4096 "$state/workspace")
  if port=$(remote_state_answers "$state"); then
    echo "tools/remote: an engine is already up (started from $started_from; 127.0.0.1:$port answers): tools/remote/down first." >&2
    return 1
  fi
  echo "tools/remote: clearing the state of an engine that no longer runs (started from $started_from; none of its ports answers)" >&2
  rm -f "$state"/*.pid "$state/workspace" "$state/ports" "$state/pg/postmaster.pid"
}

# Record, for the engine about to start in STATE from WORKSPACE, where it
# runs: the work tree and its ports.
remote_state_record() {
  local state=$1 workspace=$2
  shift 2
  mkdir -p "$state"
  printf '%s\n' "$workspace" >"$state/workspace"
  printf '%s\n' "$*" >"$state/ports"
}
