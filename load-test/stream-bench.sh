#!/usr/bin/env bash
# Stream benchmark: starts the app (-Xmx512m, or HEAP) on a fresh database, like bench.sh, drives it
# with load-test/stream/bench.mjs (Node.js >= 20; the pinned npm eventsource package is
# installed with `npm ci`) and prints one machine-readable line per figure on stdout:
#
#   RESULT fanout_subscribers=1000 rate=100 ... p50_ms=... p99_ms=...
#   RESULT resume_events=10000 source=ring run=1 seconds=...
#   RESULT sse_connections=10000 heap_after_gc_mb=... rss_mb=... per_connection_kb=...
#
# Progress goes to stderr; raw output, the app log and any recordings stay in the work dir.
#
#   load-test/stream-bench.sh                              # all three phases, defaults below
#   PHASES=resume RESUME_RUNS=5 load-test/stream-bench.sh  # one phase
#   JAR=/tmp/older.jar load-test/stream-bench.sh           # another build, side by side
#
# Parameters (environment):
#   PHASES            phases to run, in this order: fanout resume connections (all)
#   fanout:           SUBSCRIBERS (1000) streams receive RATE (100) message.created events per
#                     second for DURATION (20) s after WARMUP (20) s at the same rate (the JIT
#                     compiles ingest and delivery meanwhile; a colder run measures the compiler);
#                     ingest acknowledgement (the 201 the ingesting client reads) -> receipt, per
#                     subscriber and event. CLIENT=raw (default: a minimal SSE reader, cheap
#                     enough for 100,000 events/s) or eventsource (the npm EventSource). Then
#                     BURST (1000) events stored in one batch request reach the same streams:
#                     seconds to the last delivery and app CPU per delivery, the fan-out's own
#                     cost without ingest's per-request cost in the way.
#   resume:           RESUME_EVENTS (10000) events missed and replayed on reconnect with
#                     Last-Event-ID, RESUME_RUNS (3) times from the in-memory ring and from
#                     PostgreSQL (an older, filtered range the ring no longer holds); seconds
#                     from the request to the last event. RESUME_EVENTS above
#                     SSE_REPLAY_BUFFER_SIZE (10000) makes the ring runs read PostgreSQL too.
#   connections:      CONNECTIONS (10000) streams opened (CONNECT_IN_FLIGHT (200) at once) and
#                     held HOLD (20) s; heap used after a full GC and RSS before, with them open,
#                     and at the end; TO_ALL (5) events ingested meanwhile must reach every one,
#                     one request each second with TO_ALL_EVERY_SECOND=1 (else as one batch).
#   PROFILE           phases to record with JDK Flight Recorder (settings=profile), one
#                     <phase>.jfr in the work dir each, e.g. PROFILE=fanout; with connections,
#                     also the heap's class histogram with the streams open
#   JAR               benchmark this jar instead of target/agentstream.jar
#   HEAP              the app's maximum heap (512m), e.g. HEAP=1g for 17,500 streams
#   PORT (18182); PGHOST/PGPORT/PGUSER as for bench.sh.
#
# 10,000 streams from one address need file descriptors and lifted stream limits: the script
# raises `ulimit -n` (for the app and the Node.js clients) up to the hard limit, and starts the
# app with SSE_MAX_CONNECTIONS, SSE_MAX_CONNECTIONS_PER_IP, SSE_MAX_CONNECTS_PER_SECOND and
# RATE_LIMIT_STREAM_CONNECT above what it opens.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASES=${PHASES:-fanout resume connections}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
RATE=${RATE:-100}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-20}
BURST=${BURST:-1000}
CLIENT=${CLIENT:-raw}
RESUME_EVENTS=${RESUME_EVENTS:-10000}
RESUME_RUNS=${RESUME_RUNS:-3}
CONNECTIONS=${CONNECTIONS:-10000}
CONNECT_IN_FLIGHT=${CONNECT_IN_FLIGHT:-200}
HOLD=${HOLD:-20}
TO_ALL=${TO_ALL:-5}
TO_ALL_EVERY_SECOND=${TO_ALL_EVERY_SECOND:-0}
HEAP=${HEAP:-512m}
[[ $HEAP =~ ^[0-9]+[mg]$ ]] || { echo "HEAP must be like 512m or 1g" >&2; exit 2; }
APP_HEAP=-Xmx$HEAP
XMX_MB=$(( ${HEAP%[mg]} * $([[ $HEAP == *g ]] && echo 1024 || echo 1) ))
PROFILE=${PROFILE:-}
PORT=${PORT:-18182}
for n in SUBSCRIBERS RATE DURATION WARMUP BURST RESUME_EVENTS RESUME_RUNS CONNECTIONS CONNECT_IN_FLIGHT HOLD TO_ALL PORT; do
    [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || { echo "$n must be a positive whole number" >&2; exit 2; }
done
for phase in $PHASES $PROFILE; do
    [[ $phase =~ ^(fanout|resume|connections)$ ]] || { echo "unknown phase '$phase' (fanout, resume, connections)" >&2; exit 2; }
done
[[ $CLIENT =~ ^(raw|eventsource)$ ]] || { echo "CLIENT must be raw or eventsource" >&2; exit 2; }
runs() { [[ " $PHASES " == *" $1 "* ]]; }
profiles() { [[ " $PROFILE " == *" $1 "* ]]; }

# Every stream is a file descriptor in the app and one in the client.
STREAMS=$SUBSCRIBERS
if runs connections && [ "$CONNECTIONS" -gt "$STREAMS" ]; then STREAMS=$CONNECTIONS; fi
STREAMS=$((STREAMS + 16))
NOFILE=$((STREAMS + 2048))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NOFILE" ]; then
    HARD=$(ulimit -Hn)
    if [ "$HARD" != unlimited ] && [ "$HARD" -lt "$NOFILE" ]; then
        echo "$STREAMS streams need about $NOFILE file descriptors; the hard limit is $HARD (see RUNBOOK: file descriptors)" >&2
        exit 1
    fi
    ulimit -n "$NOFILE"
fi

# shellcheck source=lib.sh
. load-test/lib.sh

for tool in psql curl node npm; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done
JAVA_HOME=$(find_java)
export JAVA_HOME
if [ -n "${JAR:-}" ]; then
    cp "$JAR" "$WORK/agentstream.jar"
else
    prepare_jar
fi
(cd load-test/stream && npm ci --no-audit --no-fund --silent)
create_database
# All streams come from one address and one key: lift the per-address and per-instance caps,
# the connect rate and the stream-connect rate limit above what the benchmark opens.
# Reactive call stacks are deeper than the recorder's default 64 frames.
start_app ${PROFILE:+JDK_JAVA_OPTIONS=-XX:FlightRecorderOptions:stackdepth=512} SSE_MAX_CONNECTIONS=$((STREAMS + 100)) SSE_MAX_CONNECTIONS_PER_IP=$((STREAMS + 100)) \
    SSE_MAX_CONNECTS_PER_SECOND=100000 RATE_LIMIT_STREAM_CONNECT=$((10 * STREAMS))
BASE="http://127.0.0.1:$PORT"
bench() { node load-test/stream/bench.mjs "$1" "$BASE" "$KEY" "${@:2}"; }
json() { sed -n -E "s/.*\"$2\":(\"?)([^,\"}]*)\1.*/\2/p" "$1"; }

heap_used_mb() { # after a full GC, so the figure is what is live
    "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.run >/dev/null
    "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.heap_info | awk '
        /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print int(v / 1024); exit } }'
}
rss_mb() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$APP_PID/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$APP_PID/stat"; }
profile_start() { profiles "$1" && "$JAVA_HOME/bin/jcmd" "$APP_PID" JFR.start name="$1" settings=profile >/dev/null || true; }
profile_stop() {
    profiles "$1" || return 0
    "$JAVA_HOME/bin/jcmd" "$APP_PID" JFR.stop name="$1" filename="$WORK/$1.jfr" >/dev/null
    log "recording: $WORK/$1.jfr"
}
# Waits until the hub has published offset $1 (/api/events returns only settled offsets).
await_settled() {
    for _ in $(seq 1 100); do
        curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/events?after=$(($1 - 1))&limit=1" | grep -q "\"event_id\":$1\b" && return 0
        sleep 0.1
    done
    echo "offset $1 was not published within 10 s" >&2; return 1
}

echo "RESULT machine cores=$(nproc) date=$(date -u +%Y-%m-%dT%H:%M:%SZ) jar=$(sha256sum "$WORK/agentstream.jar" | cut -c1-12)"

if runs fanout; then
    log "fanout: $SUBSCRIBERS subscribers, $RATE events/s for $DURATION s (after $WARMUP s at the same rate), $CLIENT client"
    mode=$([ "$CLIENT" = raw ] && echo fanout || echo latency)
    bench "$mode" "$SUBSCRIBERS" "$RATE" "$WARMUP" >"$WORK/fanout-warmup.json"
    profile_start fanout
    TICKS=$(cpu_ticks); STARTED=$(date +%s.%N)
    bench "$mode" "$SUBSCRIBERS" "$RATE" "$DURATION" >"$WORK/fanout.json"
    # Of one core, over the whole run (ingest, delivery and the wait for the last arrivals).
    APP_CPU=$(awk -v t="$(( $(cpu_ticks) - TICKS ))" -v hz="$(getconf CLK_TCK)" -v a="$STARTED" -v b="$(date +%s.%N)" \
        'BEGIN { printf "%.0f", 100 * t / hz / (b - a) }')
    profile_stop fanout
    f="$WORK/fanout.json"
    echo "RESULT fanout_subscribers=$(json "$f" subscribers) rate=$RATE achieved_rate=$(json "$f" achieved_rate)" \
        "deliveries=$(json "$f" deliveries) expected=$(json "$f" deliveries_expected)" \
        "p50_ms=$(json "$f" p50_ms) p99_ms=$(json "$f" p99_ms) max_ms=$(json "$f" max_ms)" \
        "send_p99_ms=$(json "$f" send_p99_ms) before_ack=$(json "$f" arrived_before_ack)" \
        "not_delivered_to_all=$(json "$f" events_not_delivered_to_all) ingest_failed=$(json "$f" ingest_failed)" \
        "app_cpu_pct=$APP_CPU client_cpu_pct=$(json "$f" client_cpu_pct) client=$CLIENT load=$(cut -d' ' -f1 /proc/loadavg)"
    TICKS=$(cpu_ticks)
    bench burst "$SUBSCRIBERS" "$BURST" >"$WORK/burst.json"
    f="$WORK/burst.json"
    echo "RESULT fanout_burst_subscribers=$SUBSCRIBERS events=$(json "$f" events) deliveries=$(json "$f" deliveries)" \
        "expected=$(json "$f" expected) seconds=$(json "$f" seconds) store_seconds=$(json "$f" store_seconds)" \
        "deliveries_per_second=$(json "$f" deliveries_per_second)" \
        "app_cpu_us_per_delivery=$(awk -v t="$(( $(cpu_ticks) - TICKS ))" -v hz="$(getconf CLK_TCK)" -v d="$(json "$f" deliveries)" \
            'BEGIN { if (d > 0) printf "%.2f", 1e6 * t / hz / d }') load=$(cut -d' ' -f1 /proc/loadavg)"
fi

if runs resume; then
    log "resume: storing 2 x $RESUME_EVENTS events"
    bench ingest resume-a "$RESUME_EVENTS" >"$WORK/resume-a.json"
    bench ingest resume-b "$RESUME_EVENTS" >"$WORK/resume-b.json"
    FIRST_A=$(json "$WORK/resume-a.json" first_id); LAST_A=$(json "$WORK/resume-a.json" last_id)
    LAST_B=$(json "$WORK/resume-b.json" last_id)
    await_settled "$LAST_B"
    profile_start resume
    for run in $(seq 1 "$RESUME_RUNS"); do
        # Everything after resume-a: the newest events, which the ring holds.
        bench resume "$LAST_A" "$RESUME_EVENTS" >"$WORK/resume-ring-$run.json"
        # resume-a from its start: older than the ring, so read from PostgreSQL.
        bench resume "$((FIRST_A - 1))" "$RESUME_EVENTS" "conversation_id=resume-a" >"$WORK/resume-pg-$run.json"
        for source in ring pg; do
            f="$WORK/resume-$source-$run.json"
            echo "RESULT resume_events=$(json "$f" events) source=$([ $source = pg ] && echo postgresql || echo ring) run=$run" \
                "seconds=$(json "$f" seconds) connected_seconds=$(json "$f" connected_seconds) ordered=$(json "$f" ordered)"
        done
    done
    profile_stop resume
fi

if runs connections; then
    HEAP_BEFORE=$(heap_used_mb); RSS_BEFORE=$(rss_mb)
    log "connections: opening $CONNECTIONS streams"
    mkfifo "$WORK/hold"
    bench hold "$CONNECTIONS" "$CONNECT_IN_FLIGHT" <"$WORK/hold" >"$WORK/hold.txt" 2>&1 &
    HOLD_PID=$!
    exec 3>"$WORK/hold"
    OPEN_STARTED=$SECONDS
    profile_start connections
    for _ in $(seq 1 600); do grep -q '^ready' "$WORK/hold.txt" && break; kill -0 "$HOLD_PID" || break; sleep 0.5; done
    grep -q '^ready' "$WORK/hold.txt" || { cat "$WORK/hold.txt" >&2; echo "the streams did not open" >&2; exit 1; }
    OPEN_SECONDS=$((SECONDS - OPEN_STARTED))
    OPEN=$(curl -fsS "$BASE/api/health" | sed -n -E 's/.*"sse_connections":([0-9]+).*/\1/p')
    HEAP_OPEN=$(heap_used_mb); RSS_OPEN=$(rss_mb)
    if profiles connections; then
        "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.class_histogram | head -n 60 >"$WORK/connections-histogram.txt"
    fi
    log "connections: $OPEN open after ${OPEN_SECONDS} s; $TO_ALL events to all, then holding $HOLD s"
    if [ "$TO_ALL_EVERY_SECOND" = 1 ]; then
        for _ in $(seq 1 "$TO_ALL"); do bench ingest "to-all-$RANDOM" 1 >>"$WORK/to-all.json"; sleep 1; done
    else
        bench ingest "to-all-$RANDOM" "$TO_ALL" >"$WORK/to-all.json"
    fi
    counts() { echo >&3; for _ in $(seq 1 50); do sleep 0.1; n=$(grep -c '^{' "$WORK/hold.txt" || true); [ "$n" -gt "$1" ] && break; done; grep '^{' "$WORK/hold.txt" | tail -n 1; }
    asked=0
    for _ in $(seq 1 30); do
        line=$(counts "$asked"); asked=$((asked + 1))
        [ "$(sed -n -E 's/.*"events":([0-9]+).*/\1/p' <<<"$line")" -ge $((TO_ALL * CONNECTIONS)) ] && break
        sleep 1
    done
    DELIVERED=$(sed -n -E 's/.*"events":([0-9]+).*/\1/p' <<<"$line")
    sleep "$HOLD"
    line=$(counts "$asked")
    STILL_OPEN=$(sed -n -E 's/.*"open":([0-9]+).*/\1/p' <<<"$line")
    HEAP_LATER=$(heap_used_mb); RSS_LATER=$(rss_mb)
    profile_stop connections
    exec 3>&-
    wait "$HOLD_PID" || true
    per_kb() { awk -v a="$1" -v b="$2" -v n="$OPEN" 'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1024 / n }'; }
    echo "RESULT sse_connections=$OPEN heap_after_gc_mb=$HEAP_OPEN rss_mb=$RSS_OPEN per_connection_kb=$(per_kb "$HEAP_BEFORE" "$HEAP_OPEN")" \
        "rss_per_connection_kb=$(per_kb "$RSS_BEFORE" "$RSS_OPEN") heap_before_mb=$HEAP_BEFORE rss_before_mb=$RSS_BEFORE" \
        "open_seconds=$OPEN_SECONDS delivered=$DELIVERED expected=$((TO_ALL * CONNECTIONS))" \
        "held_seconds=$HOLD still_open=$STILL_OPEN heap_after_gc_later_mb=$HEAP_LATER rss_later_mb=$RSS_LATER xmx_mb=$XMX_MB"
fi

stop_app
log "raw output and app log: $WORK"
report_app_log >&2 || true  # head closes the pipe early: not a failure
