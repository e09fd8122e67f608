#!/usr/bin/env bash
# scripts/stack's supervision, for real: the stack runs from the built
# binaries in a data folder of its own; each service is killed with SIGKILL
# and must come back (polled on its /readyz: a signal, not a sleep) while the
# others keep answering; a second crash waits twice as long; a command is
# accepted after the restart; SIGTERM then stops everything cleanly. A
# service that refuses its configuration is not restarted: the stack stops.
#   tests/stack/supervision_test.sh [build-dir]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD_DIR=${1:-$ROOT/build}

DATA=$(mktemp -d /tmp/cc-stack-supervision-XXXXXX)
stack=""
finish() {
  status=$?
  if [ -n "$stack" ] && kill -0 "$stack" 2>/dev/null; then
    kill -TERM "$stack" 2>/dev/null || true
    wait "$stack" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    echo "--- scripts/stack output"; cat "$DATA/stack.out" 2>/dev/null || true
    echo "--- supervisor.log"; cat "$DATA/supervisor.log" 2>/dev/null || true
    for log in "$DATA"/*-service.log "$DATA"/projector.log; do
      [ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 20 "$log"; }
    done
  fi
  rm -rf "$DATA"
  exit "$status"
}
trap finish EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# A port nothing listens on (a connection to it is refused), below the
# kernel's ephemeral range: one chosen inside it can be taken, before the
# service binds it, as the local port of any outgoing connection (the tests
# running beside this one hold hundreds to PostgreSQL), and every restart
# then fails to bind.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$EPHEMERAL_LOW" -gt 12000 ] || EPHEMERAL_LOW=32768
free_port() {
  local port
  while :; do
    port=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
PG_PORT=$(free_port)
COMMAND_PORT=$(free_port)
QUERY_PORT=$(free_port)
PROJECTOR_PORT=$(free_port)
port_of() {
  case "$1" in
    command-service) echo "$COMMAND_PORT" ;;
    query-service) echo "$QUERY_PORT" ;;
    projector) echo "$PROJECTOR_PORT" ;;
  esac
}

answers() { curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$1$2" 2>/dev/null; }

# Polls `condition` until it holds; the deadline only guards against a hang.
eventually() {
  local deadline=$((SECONDS + 60))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

export CC_STACK_DATA=$DATA CC_STACK_PG_PORT=$PG_PORT CC_COMMAND_PORT=$COMMAND_PORT \
  CC_QUERY_PORT=$QUERY_PORT CC_PROJECTOR_PORT=$PROJECTOR_PORT
"$ROOT/scripts/stack" --no-build >"$DATA/stack.out" 2>&1 &
stack=$!

all_ready() {
  answers "$COMMAND_PORT" /readyz && answers "$QUERY_PORT" /readyz && answers "$PROJECTOR_PORT" /readyz
}
eventually all_ready || fail "the stack never became ready"

# Kills `name` with SIGKILL and waits for a new process of it to be ready,
# checking on every round that the two others still answer.
crash_and_recover() {
  local name=$1 others=() old new misses=0
  for other in command-service query-service projector; do
    [ "$other" = "$name" ] || others+=("$other")
  done
  old=$(cat "$DATA/run/$name.pid")
  kill -KILL "$old"
  back() {
    for other in "${others[@]}"; do
      answers "$(port_of "$other")" /readyz || misses=$((misses + 1))
    done
    new=$(cat "$DATA/run/$name.pid" 2>/dev/null || echo "$old")
    [ "$new" != "$old" ] && answers "$(port_of "$name")" /readyz
  }
  eventually back || fail "$name was not restarted"
  [ "$misses" -eq 0 ] || fail "the others missed $misses readiness checks while $name was down"
  kill -0 "$old" 2>/dev/null && fail "the killed $name ($old) is still there"
  echo "ok: $name restarted as $new; ${others[*]} kept answering"
}

crash_and_recover projector
grep -q "projector exited with status 137 after [0-9]*s; restart 1 in 1s" "$DATA/supervisor.log" ||
  fail "the projector's restart is not logged"
crash_and_recover query-service
crash_and_recover command-service
# Again at once: it has not stayed up long, so the wait doubles.
crash_and_recover command-service
grep -q "command-service exited with status 137 after [0-9]*s; restart 2 in 2s" "$DATA/supervisor.log" ||
  fail "the second restart did not back off"

# Writes are accepted by the restarted command service.
token=$(CC_JWT_SECRET=$(cat "$DATA/jwt-secret") "$BUILD_DIR/cli/complexcare" token --user "$(cat "$DATA/admin-id")")
created=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST "http://127.0.0.1:$COMMAND_PORT/v1/tenants" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Supervised\",\"slug\":\"supervised-$$\"}")
[ "$created" = 201 ] || fail "a command after the restarts answered $created"

# SIGTERM stops every service, the supervisors and PostgreSQL, and exits 0.
services=$(cat "$DATA"/run/*.pid)
kill -TERM "$stack"
status=0
wait "$stack" || status=$?
stack=""
[ "$status" -eq 0 ] || fail "scripts/stack exited $status on SIGTERM"
for pid in $services; do
  kill -0 "$pid" 2>/dev/null && fail "service $pid outlived the stack"
done
grep -q "^stopped; data kept in $DATA" "$DATA/stack.out" || fail "no clean stop reported"
[ ! -f "$DATA/pg/postmaster.pid" ] || fail "PostgreSQL is still running"
echo "ok: SIGTERM stopped everything"

# A configuration no restart can mend (services exit 2): given up on at once,
# and the stack stops instead of restarting them for ever.
: >"$DATA/supervisor.log"
status=0
CC_LOG_LEVEL=loud "$ROOT/scripts/stack" --no-build >"$DATA/stack.out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "a refused configuration ended the stack with $status"
# Every service refuses it; whichever exits first (the machine's load
# decides) is the one logged, and the stack stops there.
grep -qE "(command-service|query-service|projector) refused its configuration \(exit 2\); not restarting it" \
  "$DATA/supervisor.log" || fail "the refusal is not logged"
grep -q "; restart [0-9]" "$DATA/supervisor.log" && fail "a refused configuration was restarted"
grep -q "ComplexCare is running" "$DATA/stack.out" && fail "announced as running"
echo "ok: a refused configuration stopped the stack"
