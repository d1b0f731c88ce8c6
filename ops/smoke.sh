#!/usr/bin/env bash
# Smoke test of a running agentstream, after a deploy or before a rollback decision:
#   KEY=<ingest+read key> [ADMIN_KEY=<admin key>] [METRICS_URL=<url>] ops/smoke.sh [BASE_URL]
# BASE_URL defaults to http://localhost:8080 (the compose stack). It checks, in order:
#   1. GET /api/health answers 200 with status UP (or DEGRADED: Redis down, still serving);
#   2. POST /api/ingest stores a bridge.test event (harmless: it belongs to no conversation);
#   3. GET /api/events returns that event;
#   4. GET /api/realtime/stream delivers it (resumed from just before it);
#   5. the Prometheus metrics answer and count ingested events: METRICS_URL, else
#      BASE_URL/actuator/prometheus with ADMIN_KEY. Behind the compose nginx, /actuator/ is not
#      public: set METRICS_URL to a replica's management port (…:9090/actuator/prometheus),
#      or the step is reported as skipped.
# Prints one line per step and exits non-zero at the first failure. Needs bash and curl.
set -uo pipefail

BASE_URL=${1:-${BASE_URL:-http://localhost:8080}}
BASE_URL=${BASE_URL%/}
KEY=${KEY:-${AGENTPIPE_BRIDGE_API_KEY:-}}
TIMEOUT=${SMOKE_TIMEOUT:-10}

pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; exit 1; }
skip() { printf 'SKIP %s\n' "$*"; }

[ -n "$KEY" ] || fail "set KEY (or AGENTPIPE_BRIDGE_API_KEY) to a key with the ingest and read scopes"
command -v curl >/dev/null || fail "curl is required"
auth=(-H "Authorization: Bearer $KEY")
body_file=$(mktemp)
stream_file=$(mktemp)
trap 'rm -f "$body_file" "$stream_file"' EXIT

# 1. health
status=$(curl -sS -m "$TIMEOUT" -o "$body_file" -w '%{http_code}' "$BASE_URL/api/health") || fail "health: $BASE_URL unreachable"
[ "$status" = 200 ] || fail "health: HTTP $status $(head -c 300 "$body_file")"
grep -Eq '"status":"(UP|DEGRADED)"' "$body_file" || fail "health: $(head -c 300 "$body_file")"
pass "health: $(grep -Eo '"status":"[A-Z]+"' "$body_file" | head -n 1)"

# 2. ingest
now=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
event="{\"type\":\"bridge.test\",\"timestamp\":\"$now\",\"data\":{\"message\":\"agentstream smoke test $now\"}}"
status=$(curl -sS -m "$TIMEOUT" -o "$body_file" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
    --data-binary "$event" "$BASE_URL/api/ingest") || fail "ingest: request failed"
[ "$status" = 200 ] || fail "ingest: HTTP $status $(head -c 300 "$body_file")"
event_id=$(grep -Eo '"event_id":[0-9]+' "$body_file" | head -n 1 | cut -d: -f2)
[ -n "$event_id" ] || fail "ingest: no event_id in $(head -c 300 "$body_file")"
pass "ingest: stored as event $event_id"

# 3. /api/events (only settled offsets are served: give it a few seconds)
found=false
for _ in $(seq 1 "$TIMEOUT"); do
    status=$(curl -sS -m "$TIMEOUT" -o "$body_file" -w '%{http_code}' "${auth[@]}" \
        "$BASE_URL/api/events?after=$((event_id - 1))&types=bridge.test&limit=10") || fail "events: request failed"
    [ "$status" = 200 ] || fail "events: HTTP $status $(head -c 300 "$body_file")"
    if grep -q "\"event_id\":$event_id[,}]" "$body_file"; then found=true; break; fi
    sleep 1
done
[ "$found" = true ] || fail "events: event $event_id not returned within ${TIMEOUT}s"
pass "events: event $event_id returned"

# 4. the stream, resumed from just before the event
curl -sS -N -m "$TIMEOUT" "${auth[@]}" -H 'Accept: text/event-stream' -H "Last-Event-ID: $((event_id - 1))" \
    "$BASE_URL/api/realtime/stream?types=bridge.test" > "$stream_file" 2>/dev/null &
stream_pid=$!
delivered=false
for _ in $(seq 1 $((TIMEOUT * 5))); do
    if grep -q "^id:$event_id\$" "$stream_file"; then delivered=true; break; fi
    kill -0 "$stream_pid" 2>/dev/null || break
    sleep 0.2
done
kill "$stream_pid" 2>/dev/null
wait "$stream_pid" 2>/dev/null
[ "$delivered" = true ] || fail "stream: event $event_id not delivered within ${TIMEOUT}s: $(head -c 300 "$stream_file")"
pass "stream: event $event_id delivered"

# 5. metrics
metrics_url=${METRICS_URL:-$BASE_URL/actuator/prometheus}
metrics_auth=()
if [ -z "${METRICS_URL:-}" ] && [ -n "${ADMIN_KEY:-}" ]; then metrics_auth=(-H "Authorization: Bearer $ADMIN_KEY"); fi
status=$(curl -sS -m "$TIMEOUT" -o "$body_file" -w '%{http_code}' "${metrics_auth[@]}" "$metrics_url") || fail "metrics: $metrics_url unreachable"
if [ -z "${METRICS_URL:-}" ] && { [ "$status" = 404 ] || { [ "$status" = 401 ] && [ -z "${ADMIN_KEY:-}" ]; }; }; then
    skip "metrics: not served at $metrics_url (HTTP $status); set METRICS_URL, or ADMIN_KEY on the service port"
    exit 0
fi
[ "$status" = 200 ] || fail "metrics: HTTP $status from $metrics_url"
grep -q '^agentstream_ingest_events_total{' "$body_file" || fail "metrics: no agentstream_ingest_events_total at $metrics_url"
pass "metrics: agentstream_ingest_events_total present"
