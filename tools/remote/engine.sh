#!/usr/bin/env bash
# The loopback engine's processes, started and stopped inside the build root's
# namespace as builder (tools/remote/up and down run this; never by hand).
#
#   engine.sh start STATE BGD POSTGRES_ROOT CONFIG
#   engine.sh stop STATE
#
# start: PostgreSQL (BuildGrid's scheduler state), buildbox-casd (the CAS,
# one copy of each blob, bounded by MLIMAGE_REMOTE_CAS_QUOTA), the BuildGrid
# server (execution, action cache, CAS and bots) and one buildbox-worker whose
# runner, buildbox-run-bubblewrap, injects the build root into each action's
# sandbox. Everything listens on 127.0.0.1 only. Each process's PID and log
# are in STATE; stop ends them all (TERM, then KILL after 10 s).
set -euo pipefail
command=$1 state=$2

# shellcheck source=tools/remote/state.sh
source "$(dirname "${BASH_SOURCE[0]}")/state.sh"
read -r port cas_port pg_port < <(remote_ports_from_env)
quota=${MLIMAGE_REMOTE_CAS_QUOTA:-30G}
jobs=${MLIMAGE_REMOTE_WORKER_JOBS:-2}
for value in "$port" "$cas_port" "$pg_port"; do
  [[ "$value" =~ ^[0-9]{2,5}$ ]] || { echo "engine: port '$value' is not a port number" >&2; exit 2; }
done
[[ "$quota" =~ ^[0-9]{1,5}[KMGT]?$ ]] || { echo "engine: MLIMAGE_REMOTE_CAS_QUOTA='$quota' is not a size (30G)" >&2; exit 2; }
[[ "$jobs" =~ ^[1-9][0-9]?$ ]] || { echo "engine: MLIMAGE_REMOTE_WORKER_JOBS='$jobs' is not 1..99" >&2; exit 2; }
logs="$state/logs"
log() { echo "tools/remote: $*" >&2; }

# PORT answers on 127.0.0.1 within SECONDS, else the log is shown and it fails.
wait_for_port() {
  local what=$1 port=$2 seconds=$3 logfile=$4
  for _ in $(seq $((seconds * 5))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  log "$what did not answer on 127.0.0.1:$port within ${seconds} s; the end of $logfile:"
  tail -n 20 "$logfile" >&2
  return 1
}

spawn() {  # spawn NAME COMMAND...: in the background, its PID in STATE/NAME.pid
  local name=$1; shift
  setsid "$@" </dev/null >"$logs/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}

stop_one() {
  local name=$1 pid
  pid=$(cat "$state/$name.pid" 2>/dev/null) || return 0
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state/$name.pid"
}

case "$command" in
  start)
    bgd=$3 pg_root=$4 config=$5
    mkdir -p "$logs" "$state/casd"
    pg_bin="$pg_root/usr/lib/postgresql/18/bin"
    export LD_LIBRARY_PATH="$pg_root/usr/lib/x86_64-linux-gnu"
    if [[ ! -f "$state/pg/PG_VERSION" ]]; then
      log "initialising PostgreSQL in $state/pg"
      rm -rf "$state/pg"
      "$pg_bin/initdb" -D "$state/pg" -U bgd --auth=trust --locale=C.UTF-8 -E UTF8 >"$logs/initdb.log" 2>&1 \
        || { log "initdb failed; see $logs/initdb.log"; exit 1; }
    fi
    "$pg_bin/pg_ctl" -D "$state/pg" -w -l "$logs/postgres.log" \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $state" start >/dev/null \
      || { log "PostgreSQL did not start; see $logs/postgres.log"; exit 1; }
    if ! "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U bgd -d postgres -tAc \
      "select 1 from pg_database where datname = 'bgd'" | grep -q 1; then
      "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U bgd bgd
    fi
    unset LD_LIBRARY_PATH
    "$bgd" migrate apply "postgresql://bgd@127.0.0.1:$pg_port/bgd" >"$logs/migrate.log" 2>&1 \
      || { log "BuildGrid's database migration failed; see $logs/migrate.log"; exit 1; }

    spawn casd buildbox-casd --bind="127.0.0.1:$cas_port" --quota-high="$quota" "$state/casd"
    wait_for_port buildbox-casd "$cas_port" 30 "$logs/casd.log"
    MLIMAGE_REMOTE_PORT=$port MLIMAGE_REMOTE_CAS_PORT=$cas_port MLIMAGE_REMOTE_PG_PORT=$pg_port \
      spawn bgd "$bgd" server start "$config"
    wait_for_port BuildGrid "$port" 120 "$logs/bgd.log"

    # The worker's sandboxes get the build root's system directories (what
    # //tools/remote:buildroot declares with inject=mlimage-buildroot); the
    # rest of an action's files are its inputs.
    # No /dev/fuse in the namespace: casd stages inputs by hard link or copy.
    runner_args=(--runner-arg="--remote=http://127.0.0.1:$cas_port" --runner-arg=--staging-mode=copy-or-link)
    for dir in /usr /bin /lib /lib64 /etc; do
      runner_args+=(--runner-arg="--ro-bind-mount=mlimage-buildroot:$dir:$dir")
    done
    # A worker that loses its bot session exits: it is started again.
    spawn worker bash -c 'while "$@"; (( $? != 0 )); do sleep 2; done' worker buildbox-worker --bots-remote="http://127.0.0.1:$port" --bots-instance=main \
      --cas-remote="http://127.0.0.1:$cas_port" --buildbox-run=/usr/bin/buildbox-run-bubblewrap \
      "${runner_args[@]}" --platform OSFamily=linux --platform ISA=x86-64 \
      --platform inject=mlimage-buildroot --concurrent-jobs="$jobs" --max-wait-time=5 \
      "mlimage-worker-$port"
    for _ in $(seq 100); do
      grep -q "Starting buildbox-worker" "$logs/worker.log" 2>/dev/null && break
      kill -0 "$(cat "$state/worker.pid")" 2>/dev/null || { log "buildbox-worker exited; see $logs/worker.log"; exit 1; }
      sleep 0.2
    done
    ;;
  stop)
    for name in worker bgd casd; do stop_one "$name"; done
    if [[ -f "$state/pg/postmaster.pid" ]]; then
      pg_pid=$(head -n 1 "$state/pg/postmaster.pid")
      kill -INT "$pg_pid" 2>/dev/null || true   # PostgreSQL's fast shutdown
      for _ in $(seq 50); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pg_pid" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: engine.sh start STATE BGD POSTGRES_ROOT CONFIG | stop STATE" >&2
    exit 2
    ;;
esac
