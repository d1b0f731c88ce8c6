#!/usr/bin/env bash
# Stream benchmark: delivery latency from ingest acknowledgement to receipt by real
# EventSource subscribers, and the heap that idle streams hold. Starts the app on a fresh
# database (like bench.sh), drives it with load-test/stream/bench.mjs (Node.js >= 20 and the
# pinned npm eventsource package, installed here with `npm ci`), and prints a table.
#
#   load-test/stream-bench.sh                # SUBSCRIBERS=100 RATE=200 DURATION=20 IDLE=2000
#
# Parameters (environment): SUBSCRIBERS and RATE (events/s) and DURATION (s) of the latency
# run; IDLE (streams held for the heap figure); PORT; PGHOST/PGPORT/PGUSER as for bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SUBSCRIBERS=${SUBSCRIBERS:-100}
RATE=${RATE:-200}
DURATION=${DURATION:-20}
IDLE=${IDLE:-2000}
PORT=${PORT:-18182}
for n in SUBSCRIBERS RATE DURATION IDLE PORT; do
    [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || { echo "$n must be a positive whole number" >&2; exit 2; }
done

# shellcheck source=lib.sh
. load-test/lib.sh

for tool in psql curl node npm; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done
JAVA_HOME=$(find_java)
export JAVA_HOME
prepare_jar
(cd load-test/stream && npm ci --no-audit --no-fund --silent)
create_database
# Streams from one address and one key: lift the per-client cap, the connect rate and the
# stream-connect rate limit for the benchmark.
start_app SSE_MAX_CONNECTIONS_PER_IP=$((IDLE + SUBSCRIBERS)) SSE_MAX_CONNECTS_PER_SECOND=10000 \
    RATE_LIMIT_STREAM_CONNECT=$((10 * (IDLE + SUBSCRIBERS)))

heap_used_mb() { # after a full GC, so the figure is what is live
    "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.run >/dev/null
    "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.heap_info | awk '
        /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print int(v / 1024); exit } }'
}
rss_mb() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$APP_PID/status"; }

log "latency: $SUBSCRIBERS subscribers, $RATE events/s for $DURATION s (after a 5 s warm-up at the same rate)"
node load-test/stream/bench.mjs latency "http://127.0.0.1:$PORT" "$KEY" "$SUBSCRIBERS" "$RATE" 5 >"$WORK/warmup.json"
node load-test/stream/bench.mjs latency "http://127.0.0.1:$PORT" "$KEY" "$SUBSCRIBERS" "$RATE" "$DURATION" >"$WORK/latency.json"
LOAD_AFTER_LATENCY=$(cut -d' ' -f1-3 /proc/loadavg)
json() { sed -n -E "s/.*\"$2\":([0-9.]+).*/\1/p" "$1"; }

HEAP_BEFORE=$(heap_used_mb); RSS_BEFORE=$(rss_mb)
log "idle: holding $IDLE streams"
mkfifo "$WORK/hold"
node load-test/stream/bench.mjs idle "http://127.0.0.1:$PORT" "$KEY" "$IDLE" <"$WORK/hold" >"$WORK/idle.txt" 2>&1 &
IDLE_PID=$!
exec 3>"$WORK/hold"
for _ in $(seq 1 240); do grep -q '^ready' "$WORK/idle.txt" && break; kill -0 "$IDLE_PID" || break; sleep 0.5; done
grep -q '^ready' "$WORK/idle.txt" || { cat "$WORK/idle.txt" >&2; echo "idle streams did not open" >&2; exit 1; }
OPEN=$(curl -fsS "http://127.0.0.1:$PORT/api/health" | sed -n -E 's/.*"sse_connections":([0-9]+).*/\1/p')
HEAP_IDLE=$(heap_used_mb); RSS_IDLE=$(rss_mb)
exec 3>&-
wait "$IDLE_PID" || true
stop_app

cat <<TABLE

## agentstream stream: delivery latency and idle-stream memory

| figure | measured |
|---|---|
| date (UTC) | $(date -u +%Y-%m-%dT%H:%M:%SZ) |
| machine | $(nproc) cores (nproc); app, PostgreSQL and the Node.js clients together; load avg after the latency run $LOAD_AFTER_LATENCY |
| latency run | $(json "$WORK/latency.json" subscribers) subscribers, target $RATE events/s, achieved $(json "$WORK/latency.json" achieved_rate) events/s for ${DURATION} s; $(json "$WORK/latency.json" events_acked) events acknowledged, $(json "$WORK/latency.json" ingest_failed) failed |
| deliveries | $(json "$WORK/latency.json" deliveries) of $(json "$WORK/latency.json" deliveries_expected) expected; $(json "$WORK/latency.json" arrived_before_ack) arrived before the client had read its 201 (counted as 0 ms) |
| events not delivered to every subscriber | $(json "$WORK/latency.json" events_not_delivered_to_all) |
| ack → receipt p50 / p99 / max | $(json "$WORK/latency.json" p50_ms) / $(json "$WORK/latency.json" p99_ms) / $(json "$WORK/latency.json" max_ms) ms |
| request sent → receipt p50 / p99 | $(json "$WORK/latency.json" send_p50_ms) / $(json "$WORK/latency.json" send_p99_ms) ms |
| idle streams held | $OPEN (health's sse_connections) |
| heap used after full GC, before → with idle streams | $HEAP_BEFORE MB → $HEAP_IDLE MB ($(awk -v a="$HEAP_BEFORE" -v b="$HEAP_IDLE" -v n="$OPEN" 'BEGIN { if (n > 0) printf "%.1f KB per stream", (b - a) * 1024 / n }')) |
| process RSS, before → with idle streams | $RSS_BEFORE MB → $RSS_IDLE MB (-Xmx512m) |
TABLE
echo
echo "Raw output and app log: $WORK (warmup.json, latency.json, idle.txt, app.log)"
report_app_log
