#!/usr/bin/env bash
# Stops what infra/local/services-up.sh started (and only that: it reads the pid files
# services-up.sh wrote), then waits for each process to exit. Data stays in the state dir,
# so the next services-up restarts the broker on the already formatted storage.
#
# Environment:
#   COMMUNE_PULSE_SERVICES_DIR   state dir (default: <repo>/.cache/services)
#   COMMUNE_PULSE_STOP_TIMEOUT   seconds to wait for a clean exit before SIGKILL (default 60)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${COMMUNE_PULSE_SERVICES_DIR:-$REPO/.cache/services}"
STOP_TIMEOUT="${COMMUNE_PULSE_STOP_TIMEOUT:-60}"

log() { printf '[services-down] %s\n' "$*"; }

stop_from_pidfile() { # name pidfile cmdline-substring
  local name="$1" pidfile="$2" expect="$3" pid i
  if [[ ! -s "$pidfile" ]]; then
    log "$name: not started by services-up (no pid file)"
    return 0
  fi
  pid="$(cat "$pidfile")"
  if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "$name: pid ${pid:-?} already gone"
    rm -f "$pidfile"
    return 0
  fi
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$expect"; then
    log "$name: pid $pid is no longer $name (pid reused): leaving it alone"
    rm -f "$pidfile"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${STOP_TIMEOUT}s: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

stop_from_pidfile kafka "$STATE_DIR/kafka/kafka.pid" kafka.Kafka
stop_from_pidfile redis "$STATE_DIR/redis/redis.pid" redis-server
