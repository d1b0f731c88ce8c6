#!/usr/bin/env bash
# The performance figures of agentstream, in one run, against the local PostgreSQL (and Redis
# when APP_ENV sets REDIS_URL):
#   1. start-up: JVM launch to healthy, and the idle process's RSS;
#   2. ingest side by side with PostgreSQL's own single-row INSERT rate (pgbench), on the same
#      fresh database, at the same concurrency and for the same duration: the ratio is the
#      figure to quote, since absolute rates on shared machines are noisy and the ratio less so;
#   3. ingest latency at a fixed rate (open model: load-test/ingest/rate.mjs);
#   4. a session upload of UPLOAD_MESSAGES messages, UPLOADS times;
#   5. the production targets as Gatling assertions (SeedTargetsSimulation, GATLING_SECONDS);
#   6. the stream (load-test/stream-bench.sh, its own app): connections, fan-out, resume;
#   7. overload: twice the capacity measured in 2., then the load drops (ingest/overload.mjs);
# then one table: figure, target, measured, met.
#
#   load-test/bench.sh                                  # everything, defaults below
#   STREAM=0 CONCURRENCY=4 DURATION=30 load-test/bench.sh
#
# Parameters (environment): APP_ENV (extra VAR=value settings for the app, space-separated),
# CONCURRENCY (wrk connections = pgbench clients, default 16), DURATION (s, each measured
# phase, 20), WARMUP (s of wrk before measuring, 60; its first 15 s are the cold-start figure), CONVERSATIONS (message spread, 50), RATE
# and RATE_DURATION (fixed-rate phase: events/s and s, 1000 and 20), UPLOAD_MESSAGES and UPLOADS
# (10000 and 3), GATLING (1 runs SeedTargetsSimulation for GATLING_SECONDS, default 60, after a
# 10 s ramp; 0 skips it), STREAM (1 runs stream-bench.sh with its own defaults, 0 skips it), STREAM_RATE (its
# fan-out rate, events/s, 50), PROFILE (1
# records async-profiler's CPU and allocation profiles of the app during the measured ingest
# phase and prints both by stage of the request, per request; it costs about a fifth of the CPU), PORT (of the
# app started here), PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres; the user must be
# allowed to create databases and connect without a password, e.g. trust or ~/.pgpass).
#
# OVERLOAD (1 runs the overload phase after the fixed-rate one: twice the measured ingest
# capacity for OVERLOAD_SECONDS, default 20, between two quiet phases; 0 skips it).
#
# JAR benchmarks another build instead of target/agentstream.jar (side by side: run both in turn).
#
# Needs: a JDK >= 21 (JAVA_HOME or /usr/lib/jvm/*), psql, pgbench, curl, Node.js >= 20, and wrk
# (installed with apt-get when missing and running as root); PROFILE=1 also needs unzip and Maven
# Central (async-profiler is fetched as a jar). The app log and raw tool output
# stay in a temp directory whose path is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

CONCURRENCY=${CONCURRENCY:-16}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-60}
CONVERSATIONS=${CONVERSATIONS:-50}
RATE=${RATE:-1000}
RATE_DURATION=${RATE_DURATION:-20}
UPLOAD_MESSAGES=${UPLOAD_MESSAGES:-10000}
UPLOADS=${UPLOADS:-3}
STREAM=${STREAM:-1}
STREAM_RATE=${STREAM_RATE:-50}
OVERLOAD=${OVERLOAD:-1}
OVERLOAD_SECONDS=${OVERLOAD_SECONDS:-20}
PROFILE=${PROFILE:-0}
GATLING=${GATLING:-1}
GATLING_SECONDS=${GATLING_SECONDS:-60}
PORT=${PORT:-18181}
for n in CONCURRENCY DURATION WARMUP CONVERSATIONS RATE RATE_DURATION UPLOAD_MESSAGES UPLOADS STREAM_RATE PORT; do
    [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || { echo "$n must be a positive whole number" >&2; exit 2; }
done

# shellcheck source=lib.sh
. load-test/lib.sh

# --- Tools ------------------------------------------------------------------------------------

for tool in psql pgbench curl node; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
    log "installing wrk"
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi

# Assigned separately: `export X=$(f)` would hide f's failure from set -e.
JAVA_HOME=$(find_java)
export JAVA_HOME

if [ -n "${JAR:-}" ]; then cp "$JAR" "$WORK/agentstream.jar"; else prepare_jar; fi

# --- App on a fresh database ------------------------------------------------------------------

create_database
# Pool as large as the load so that the app, like pgbench, can hold CONCURRENCY connections.
# APP_ENV adds settings, e.g. APP_ENV="RATE_LIMIT_ENABLED=false" or APP_ENV="REDIS_URL=redis://127.0.0.1:6379".
if [ "$PROFILE" = 1 ]; then
    PROFILER_LIB=$(async_profiler)
    # The profiler is attached while the app runs; this flag says that is intended.
    APP_JAVA_OPTS="${APP_JAVA_OPTS:-} -XX:+EnableDynamicAgentLoading"
fi
# shellcheck disable=SC2086
# The read limit (per key per minute) is lifted so that the read figure measures the service; the
# limiter itself still runs on every request.
start_app DATABASE_POOL_MAX=$((CONCURRENCY > 10 ? CONCURRENCY : 10)) RATE_LIMIT_READ=100000000 ${APP_ENV:-}
# Idle as an operator would see it: started, nothing asked of it yet, a moment to settle.
sleep 10
IDLE_RSS_MB=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$APP_PID/status")

# --- Load definitions -------------------------------------------------------------------------

write_ingest_lua "$WORK/ingest.lua"
CONTENT=$INGEST_CONTENT

# The baseline: one row of the same shape and size per transaction, into a copy of the messages
# table with its identity, defaults, checks and indexes (not its foreign keys).
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "create table bench_insert (like messages including all)" >/dev/null
cat >"$WORK/insert.sql" <<SQL
\set c random(0, $((CONVERSATIONS - 1)))
insert into bench_insert (conversation_id, message_id, agent_id, agent_type, agent_name, content,
  sequence_number, turn_number, tokens_used, input_tokens, output_tokens, cost, model, duration_ms, created_at)
values ('bench-conv-' || :c, 'pg-' || :client_id || '-' || gen_random_uuid(), 'claude-1', 'claude', 'Architect',
  '$CONTENT', 1, 1, 412, 301, 111, 0.00213, 'claude-sonnet-4', 5234, now());
SQL

THREADS=$((CONCURRENCY < 2 ? 1 : 2))
field() { sed -n -E "s/.* $2=([0-9.]+).*/\1/p" <<<" $1"; }
run_wrk() { # $1 = run label, $2 = seconds, $3 = output file
    RUN=$1 wrk -t"$THREADS" -c"$CONCURRENCY" -d"$2s" --timeout 10s --latency -s "$WORK/ingest.lua" \
        "http://127.0.0.1:$PORT" >"$3" 2>&1 || { cat "$3" >&2; return 1; }
    grep '^RESULT' "$3"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Warm-up ----------------------------------------------------------------------------------

# The first 15 s of load on a fresh JVM are what a deploy feels: every instance restarts cold.
# They are measured on their own and compared with the warm rate below.
COLD_SECONDS=15
[ "$WARMUP" -gt "$COLD_SECONDS" ] || { echo "WARMUP must be more than $COLD_SECONDS s" >&2; exit 2; }
log "cold start: wrk $COLD_SECONDS s on the fresh JVM"
COLD=$(run_wrk cold "$COLD_SECONDS" "$WORK/wrk-cold.txt")
# Then the JIT needs time: the C2 compiler's share of the app's CPU per 10 s window of load was
# 23, 27, 25, 7, 3 and 2% on a 2-core machine (ingest CPU per request falling from 3.3 ms to
# 0.66 ms), hence 60 s in all before measuring. Its rate is printed so a too-short warm-up shows.
log "warm-up: wrk $((WARMUP - COLD_SECONDS)) s more"
WARM=$(run_wrk warmup "$((WARMUP - COLD_SECONDS))" "$WORK/wrk-warmup.txt")
# Start the measured ingest from empty tables, so rows stored can be checked against 201s.
psql -qX -v ON_ERROR_STOP=1 -d "$DB" \
    -c "truncate conversations, conversation_agents, messages, events cascade" >/dev/null

# --- pgbench baseline -------------------------------------------------------------------------

# A checkpoint before each measured phase, so neither inherits the other's dirty buffers.
psql -qX -d "$DB" -c checkpoint >/dev/null
log "pgbench: single-row INSERT, $CONCURRENCY clients, ${DURATION} s"
pgbench -n -c "$CONCURRENCY" -j "$THREADS" -T "$DURATION" -f "$WORK/insert.sql" "$DB" >"$WORK/pgbench.txt" 2>&1 \
    || { cat "$WORK/pgbench.txt" >&2; exit 1; }
PG_TPS=$(sed -n -E 's/^tps = ([0-9.]+).*/\1/p' "$WORK/pgbench.txt" | head -n 1)
PG_LAT=$(sed -n -E 's/^latency average = ([0-9.]+) ms.*/\1/p' "$WORK/pgbench.txt")
PG_TX=$(sed -n -E 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$WORK/pgbench.txt")
PG_FAILED=$(sed -n -E 's/^number of failed transactions: ([0-9]+).*/\1/p' "$WORK/pgbench.txt")
PG_ROWS=$(psql -qXtA -d "$DB" -c "select count(*) from bench_insert")

# --- Ingest -----------------------------------------------------------------------------------

psql -qX -d "$DB" -c checkpoint >/dev/null
log "ingest: wrk $CONCURRENCY connections, ${DURATION} s"
CPU_BEFORE=$(cpu_ticks "$APP_PID")
PG_CPU_BEFORE=$(postgres_cpu_ticks)
WAL_BEFORE=$(psql -qXtA -d "$DB" -c "select pg_current_wal_lsn()")
if [ "$PROFILE" = 1 ]; then
    # CPU over the first half of the measured run, allocations over the second: one profiler
    # session at a time, under the same load. Deep stacks: Reactor's chains run to hundreds of frames.
    profiler "start,event=cpu,interval=1ms,jstackdepth=1024,threads"
    (
        sleep $((DURATION / 2))
        profiler "stop,file=$WORK/cpu.collapsed,collapsed"
        profiler "start,event=alloc,alloc=256k,total,jstackdepth=1024,threads"
    ) &
    PROFILER_SWITCH=$!
fi
RESULT=$(run_wrk measure "$DURATION" "$WORK/wrk.txt")
if [ "$PROFILE" = 1 ]; then
    wait "$PROFILER_SWITCH"
    profiler "stop,file=$WORK/alloc.collapsed,collapsed,total"
fi
CPU_AFTER=$(cpu_ticks "$APP_PID")
PG_CPU_AFTER=$(postgres_cpu_ticks)
WAL_BYTES=$(psql -qXtA -d "$DB" -c "select pg_current_wal_lsn() - '$WAL_BEFORE'::pg_lsn")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# wrk stops counting with requests still in flight; let the server finish them before counting.
STORED=-1
for _ in $(seq 1 20); do
    now=$(psql -qXtA -d "$DB" -c "select count(*) from messages")
    [ "$now" = "$STORED" ] && break
    STORED=$now; sleep 0.5
done
EVENTS=$(psql -qXtA -d "$DB" -c "select count(*) from events")
TOTALS_OK=$(psql -qXtA -d "$DB" -c "select coalesce(bool_and(message_count = (select count(*) from messages m
    where m.conversation_id = c.id)), false) from conversations c")

# --- Fixed rate --------------------------------------------------------------------------------

log "ingest at a fixed $RATE events/s for $RATE_DURATION s (open model)"
node load-test/ingest/rate.mjs "http://127.0.0.1:$PORT" "$KEY" "$RATE" 3 >"$WORK/rate-warmup.txt"
FIXED=$(node load-test/ingest/rate.mjs "http://127.0.0.1:$PORT" "$KEY" "$RATE" "$RATE_DURATION" | tee "$WORK/rate.txt")

# --- Reads and refusals --------------------------------------------------------------------------

# A plain GET through the whole filter chain (key check, rate limit, headers) to a one-row page,
# and a request the filters refuse (a key that does not exist: 401, then 429 once the client
# address has failed too often). 10 s of each to warm, 10 s measured.
rps_of() { sed -n -E 's/^Requests\/sec: *([0-9.]+).*/\1/p' "$1"; }
run_get() { # $1 = label, $2 = Authorization header, $3 = path
    wrk -t"$THREADS" -c"$CONCURRENCY" -d10s -H "Authorization: $2" "http://127.0.0.1:$PORT$3" >"$WORK/$1-warm.txt" 2>&1
    wrk -t"$THREADS" -c"$CONCURRENCY" -d10s --latency -H "Authorization: $2" "http://127.0.0.1:$PORT$3" >"$WORK/$1.txt" 2>&1
    rps_of "$WORK/$1.txt"
}
log "reads: GET /api/conversations?limit=1, and refused requests"
READ_RPS=$(run_get read "Bearer $KEY" "/api/conversations?limit=1")
READ_STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/conversations?limit=1")
REFUSED_RPS=$(run_get refused "Bearer ap_live_not-a-key-0123456789abcdef" "/api/conversations?limit=1")
REFUSED_STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ap_live_not-a-key-0123456789abcdef" "http://127.0.0.1:$PORT/api/conversations?limit=1")
# Made-up keys in the stored format, a new one per request: nothing about them can be cached, so
# this is what a flood of guessed keys costs (each is looked up among the active keys).
cat >"$WORK/random-key.lua" <<'LUA'
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
-- Each wrk thread seeds once, from its own table's address: threads must not send the same keys.
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end
request = function()
  local key = {}
  for i = 1, 43 do local n = math.random(1, 64); key[i] = chars:sub(n, n) end
  return wrk.format("GET", "/api/conversations?limit=1", { ["Authorization"] = "Bearer ap_live_" .. table.concat(key) })
end
LUA
wrk -t"$THREADS" -c"$CONCURRENCY" -d10s -s "$WORK/random-key.lua" "http://127.0.0.1:$PORT/" >"$WORK/refused-random-warm.txt" 2>&1
wrk -t"$THREADS" -c"$CONCURRENCY" -d10s --latency -s "$WORK/random-key.lua" "http://127.0.0.1:$PORT/" >"$WORK/refused-random.txt" 2>&1
REFUSED_RANDOM_RPS=$(rps_of "$WORK/refused-random.txt")

# --- Overload ------------------------------------------------------------------------------------

# Twice the capacity just measured (the ingest phase's req/s), between two quiet phases: every
# answer must be a 201 or a 503 with Retry-After within the write timeout, every acknowledged
# event stored exactly once, and latency back to normal within 10 s of the load dropping.
OVERLOAD_RESULT=""
if [ "$OVERLOAD" = 1 ]; then
    # The measured phase's rate (the summary reads the same field again further down).
    CAPACITY=$(awk -v r="$(field "$RESULT" rps)" 'BEGIN { printf "%d", (r > 0 ? r : 100) }')
    log "overload: $((2 * CAPACITY)) events/s (twice the measured $CAPACITY) for $OVERLOAD_SECONDS s"
    OVERLOAD_RESULT=$(node load-test/ingest/overload.mjs "http://127.0.0.1:$PORT" "$KEY" "$CAPACITY" "$OVERLOAD_SECONDS" \
        "$WORK/overload-acked.txt" | tee "$WORK/overload.txt")
    # Acknowledged ids stored exactly once: none missing, none twice.
    OVERLOAD_LOST=$(psql -qXtA -d "$DB" <<SQL | tail -n 1
create temp table acked (message_id text);
\\copy acked from '$WORK/overload-acked.txt'
select count(*) from acked a where (select count(*) from messages m where m.message_id = a.message_id) <> 1;
SQL
)
fi

# --- Upload -------------------------------------------------------------------------------------

UPLOAD_SECONDS=()
for i in $(seq 1 "$UPLOADS"); do
    node load-test/upload/session.mjs "$UPLOAD_MESSAGES" "bench-upload-$i" >"$WORK/upload-$i.json"
done
log "upload: $UPLOADS sessions of $UPLOAD_MESSAGES messages ($(wc -c <"$WORK/upload-1.json") bytes each)"
for i in $(seq 1 "$UPLOADS"); do
    status_time=$(curl -sS -o "$WORK/upload-$i.out" -w '%{http_code} %{time_total}' \
        -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        --data-binary @"$WORK/upload-$i.json" "http://127.0.0.1:$PORT/api/sessions/upload")
    [ "${status_time%% *}" = 201 ] || { cat "$WORK/upload-$i.out" >&2; echo "upload $i answered ${status_time%% *}" >&2; exit 1; }
    UPLOAD_SECONDS+=("${status_time#* }")
done
UPLOADED=$(psql -qXtA -d "$DB" -c "select count(*) from messages where conversation_id like 'bench-upload-%'")

# --- Gatling: the production targets -----------------------------------------------------------------

GATLING_ASSERTIONS=""
if [ "$GATLING" = 1 ]; then
    log "Gatling SeedTargetsSimulation: 100 CLIs and 50 streams for $GATLING_SECONDS s"
    # Its own exit code says whether every assertion held; the assertions themselves are the figures.
    AGENTSTREAM_API_KEY=$KEY ./mvnw -B --no-transfer-progress -f load-test/pom.xml gatling:test \
        -Dgatling.simulationClass=io.agentstream.load.SeedTargetsSimulation -DbaseUrl="http://127.0.0.1:$PORT" \
        -DdurationSeconds="$GATLING_SECONDS" >"$WORK/gatling.txt" 2>&1 || true
    GATLING_ASSERTIONS=$(grep -E ': (true|false) \(actual : ' "$WORK/gatling.txt" || true)
    [ -n "$GATLING_ASSERTIONS" ] || { tail -n 40 "$WORK/gatling.txt" >&2; echo "Gatling printed no assertion results" >&2; exit 1; }
fi

stop_app

RPS=$(field "$RESULT" rps); P50=$(field "$RESULT" p50_ms); P90=$(field "$RESULT" p90_ms)
P99=$(field "$RESULT" p99_ms); MAX=$(field "$RESULT" max_ms); NON201=$(field "$RESULT" non201)
REQUESTS=$(field "$RESULT" requests); SENT=$(field "$RESULT" sent)
SOCKET_ERRORS=$(( $(field "$RESULT" connect) + $(field "$RESULT" read) + $(field "$RESULT" write) + $(field "$RESULT" timeout) ))
OK=$((REQUESTS - NON201))
# The app's CPU time over the measured run, per accepted event (profiler overhead included when
# PROFILE=1); PostgreSQL's (every server process on this machine) and its WAL, for sizing.
per_event() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$OK" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }'; }
CPU_US=$(per_event $((CPU_AFTER - CPU_BEFORE)))
PG_CPU_US=$(per_event $((PG_CPU_AFTER - PG_CPU_BEFORE)))
WAL_PER_EVENT=$(awk -v b="$WAL_BYTES" -v n="$OK" 'BEGIN { printf "%.0f", (n > 0 ? b / n : 0) }')
WARM_RPS=$(field "$WARM" rps)
COLD_RPS=$(field "$COLD" rps)
COLD_FRACTION=$(awk -v c="$COLD_RPS" -v w="$RPS" 'BEGIN { printf "%.2f", (w > 0 ? c / w : 0) }')
if [ "$STORED" -ge "$OK" ] && [ "$STORED" -le "$SENT" ]; then STORED_CHECK=ok; else STORED_CHECK=MISMATCH; fi

# --- Report -----------------------------------------------------------------------------------

cat <<TABLE

## agentstream ingest vs. PostgreSQL single-row INSERT

| figure | measured |
|---|---|
| date (UTC) | $(date -u +%Y-%m-%dT%H:%M:%SZ) |
| machine | $(nproc) cores (nproc), app + PostgreSQL + load generator together; load avg before $LOAD_BEFORE, after $LOAD_AFTER |
| parameters | CONCURRENCY=$CONCURRENCY DURATION=${DURATION}s WARMUP=${WARMUP}s CONVERSATIONS=$CONVERSATIONS; wrk -t$THREADS, pgbench -n -j$THREADS; content ${#CONTENT} chars; app pool $((CONCURRENCY > 10 ? CONCURRENCY : 10)), -Xmx512m |
| software | $(psql -qXtA -d postgres -c "show server_version" 2>/dev/null | cut -d' ' -f1 | sed 's/^/PostgreSQL /'), Java $(java_major "$JAVA_HOME"), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2) |
| pgbench single-row INSERT tps | $PG_TPS (latency avg $PG_LAT ms; $PG_TX transactions, ${PG_FAILED:-0} failed; $PG_ROWS rows) |
| ingest message.created req/s | $RPS (201 responses: $OK of $REQUESTS) |
| ratio ingest/pgbench | $(awk -v a="$RPS" -v b="$PG_TPS" 'BEGIN { printf "%.3f", a / b }') |
| ingest p50 / p90 / p99 latency | $P50 / $P90 / $P99 ms (max $MAX ms) |
| app CPU per accepted event | $CPU_US µs (process user + system time over the measured run) |
| PostgreSQL CPU and WAL per accepted event | $PG_CPU_US µs (every postgres process on the machine); $WAL_PER_EVENT bytes of WAL |
| errors | $NON201 non-201 responses, $SOCKET_ERRORS socket errors/timeouts |
| messages stored vs. 201s counted | $STORED stored, $OK counted, $SENT sent: $STORED_CHECK (expected counted ≤ stored ≤ sent) |
| events stored; conversation totals = stored messages | $EVENTS; $TOTALS_OK |
| cold start: ingest req/s in the first $COLD_SECONDS s of load | $COLD_RPS (p99 $(field "$COLD" p99_ms) ms) = $COLD_FRACTION of the warm rate |
| warm-up ingest req/s | $WARM_RPS (the $((WARMUP - COLD_SECONDS)) s after that, not part of the figures above) |
TABLE

echo
echo "Raw output and app log: $WORK (pgbench.txt, wrk.txt, wrk-warmup.txt, app.log)"
report_app_log

# --- Stream -------------------------------------------------------------------------------------

STREAM_RESULTS=""
if [ "$STREAM" = 1 ]; then
    log "stream: load-test/stream-bench.sh"
    # With its own defaults but the rate: this script's settings of the same names (RATE,
    # DURATION, WARMUP, PROFILE) mean other things there. 1,000 subscribers at STREAM_RATE.
    env -u DURATION -u WARMUP -u PROFILE RATE="$STREAM_RATE" PORT=$((PORT + 1)) load-test/stream-bench.sh >"$WORK/stream.txt" 2>&1 \
        || { tail -n 40 "$WORK/stream.txt" >&2; exit 1; }
    STREAM_RESULTS=$(grep '^RESULT' "$WORK/stream.txt" || true)
fi

# --- Summary ------------------------------------------------------------------------------------

# met: yes when "measured OP target" holds (OP is < or >=), else no; n/a when not measured.
met() { awk -v m="$1" -v op="$2" -v t="$3" 'BEGIN { if (m == "" || m == "n/a") print "n/a"; else if (op == "<") print (m + 0 < t + 0 ? "yes" : "no"); else print (m + 0 >= t + 0 ? "yes" : "no") }'; }
sfield() { { grep -m1 "^RESULT.* $1=" <<<"$STREAM_RESULTS" || true; } | sed -n -E "s/.* $1=([0-9.]+).*/\1/p"; }
RATIO=$(awk -v a="$RPS" -v b="$PG_TPS" 'BEGIN { printf "%.3f", a / b }')
FIXED_P99=$(field "$FIXED" p99_ms)
UPLOAD_BEST=$(printf '%s\n' "${UPLOAD_SECONDS[@]}" | sort -n | head -n 1)
UPLOAD_WORST=$(printf '%s\n' "${UPLOAD_SECONDS[@]}" | sort -n | tail -n 1)
SSE_CONNECTIONS=$(sfield sse_connections); SSE_HEAP=$(sfield heap_after_gc_mb)
FANOUT_P99=$(sfield p99_ms); FANOUT_SEND_P99=$(sfield send_p99_ms)
# The slowest of the resume runs, from the ring and from PostgreSQL.
resume_max() { { grep "^RESULT resume_events=.* source=$1 " <<<"$STREAM_RESULTS" || true; } | sed -n -E 's/.* seconds=([0-9.]+).*/\1/p' | sort -n | tail -n 1; }
RESUME_RING=$(resume_max ring); RESUME_PG=$(resume_max postgresql)
RESUME_S=$(printf '%s\n' "$RESUME_RING" "$RESUME_PG" | sort -n | tail -n 1)

cat <<TABLE

## Targets ($(date -u +%Y-%m-%d), $(nproc) cores, app + PostgreSQL + load generators on one machine)

| figure | target | measured | met |
|---|---|---|---|
| ingest \`message.created\` vs pgbench single-row INSERT, $CONCURRENCY connections | ratio ≥ 0.5 (stretch 1.0) | $RPS req/s vs $PG_TPS tps = **$RATIO** | $(met "$RATIO" ">=" 0.5) |
| app CPU per accepted event | ≤ 250 µs | **$CPU_US µs** | $(met "$CPU_US" "<" 251) |
| ingest p99 at a fixed $RATE events/s | < 50 ms | **$FIXED_P99 ms** (p50 $(field "$FIXED" p50_ms) ms, $(field "$FIXED" ok) ok, $(field "$FIXED" errors) errors of $(field "$FIXED" sent)) | $(met "$FIXED_P99" "<" 50) |
| SSE connections on one instance, -Xmx512m | 10,000 within 512 MB heap | ${SSE_CONNECTIONS:-n/a} open, heap after GC ${SSE_HEAP:-n/a} MB | $( [ -n "$SSE_CONNECTIONS" ] && awk -v c="$SSE_CONNECTIONS" -v h="$SSE_HEAP" 'BEGIN { print (c >= 10000 && h < 512 ? "yes" : "no") }' || echo n/a) |
| fan-out: send → receipt p99 (from the moment the ingest request is sent), $(sfield fanout_subscribers) subscribers at $(sfield rate) events/s | < 100 ms | **${FANOUT_SEND_P99:-n/a} ms** (ack → receipt p99 ${FANOUT_P99:-n/a} ms) | $(met "$FANOUT_SEND_P99" "<" 100) |
| resume: $(sfield resume_events) missed events replayed (slowest run) | < 1 s | ${RESUME_RING:-n/a} s from the ring, ${RESUME_PG:-n/a} s from PostgreSQL | $(met "$RESUME_S" "<" 1) |
| upload of a $UPLOAD_MESSAGES-message session ($(( $(wc -c <"$WORK/upload-1.json") / 1024 )) KB) | < 2 s | $UPLOAD_BEST–$UPLOAD_WORST s over $UPLOADS uploads ($UPLOADED rows) | $(met "$UPLOAD_WORST" "<" 2) |
| authenticated \`GET /api/conversations?limit=1\`, $CONCURRENCY connections | ≥ 5,000 req/s | **$READ_RPS req/s** (status after: $READ_STATUS) | $(met "$READ_RPS" ">=" 5000) |
| a request the filters refuse (unknown key), $CONCURRENCY connections | ≥ 10,000 req/s | **$REFUSED_RPS req/s** (status after: $REFUSED_STATUS) | $(met "$REFUSED_RPS" ">=" 10000) |
| the same with a made-up key in the stored format per request (no database query) | ≥ 10,000 req/s | **$REFUSED_RANDOM_RPS req/s** | $(met "$REFUSED_RANDOM_RPS" ">=" 10000) |
| ingest in the first $COLD_SECONDS s of load, as a fraction of the warm rate | ≥ 0.5 | $COLD_RPS vs $RPS req/s = **$COLD_FRACTION** | $(met "$COLD_FRACTION" ">=" 0.5) |
| start to healthy (JVM launch → /api/health 200) | < 5 s | $APP_HEALTHY_MS ms | $(met "$APP_HEALTHY_MS" "<" 5000) |
| idle RSS (-Xmx512m, 10 s after start) | < 300 MB | $IDLE_RSS_MB MB | $(met "$IDLE_RSS_MB" "<" 300) |
TABLE
if [ -n "$OVERLOAD_RESULT" ]; then
    echo
    echo "Overload at twice the measured capacity ($WORK/overload.txt):"
    echo
    echo "| figure | target | measured | met |"
    echo "|---|---|---|---|"
    echo "| 5xx other than 503; 503 without Retry-After; no answer within 12 s | 0 | $(field "$OVERLOAD_RESULT" server_errors); $(field "$OVERLOAD_RESULT" refused_503_without_retry_after); $(field "$OVERLOAD_RESULT" hung) | $( [ "$(field "$OVERLOAD_RESULT" server_errors)$(field "$OVERLOAD_RESULT" refused_503_without_retry_after)$(field "$OVERLOAD_RESULT" hung)" = 000 ] && echo yes || echo no) |"
    echo "| slowest 503 | < 8,000 ms (write timeout) | $(field "$OVERLOAD_RESULT" max_refusal_ms) ms ($(field "$OVERLOAD_RESULT" refused_503) refused, $(field "$OVERLOAD_RESULT" ok) stored of $(field "$OVERLOAD_RESULT" sent)) | $(met "$(field "$OVERLOAD_RESULT" max_refusal_ms)" "<" 8000) |"
    echo "| acknowledged events not stored exactly once | 0 | ${OVERLOAD_LOST:-n/a} | $( [ "${OVERLOAD_LOST:-x}" = 0 ] && echo yes || echo no) |"
    echo "| back to the baseline's p99 (×2) after the load drops | < 10 s | $(sed -n -E 's/.* recovery_s=([^ ]+).*/\1/p' <<<"$OVERLOAD_RESULT") s (baseline p99 $(field "$OVERLOAD_RESULT" baseline_p99_ms) ms) | $(met "$(sed -n -E 's/.* recovery_s=([0-9]+).*/\1/p' <<<"$OVERLOAD_RESULT")" "<" 10) |"
fi
if [ -n "$GATLING_ASSERTIONS" ]; then
    echo
    echo "Gatling SeedTargetsSimulation assertions ($WORK/gatling.txt; its HTML report is under load-test/target/gatling/):"
    echo
    echo "| assertion | held |"
    echo "|---|---|"
    sed -E 's/^(.*) : (true|false) \(actual : (.*)\)$/| \1 (measured \3) | \2 |/' <<<"$GATLING_ASSERTIONS"
fi
if [ "$PROFILE" = 1 ]; then
    echo
    echo "Profile of the app during the measured ingest phase (async-profiler; $WORK/cpu.collapsed, alloc.collapsed):"
    node load-test/profile/stages.mjs "$WORK/cpu.collapsed" "$CPU_US" "CPU by stage (first half of the measured run)"
    # Bytes allocated (the profile's total) over the requests of the second half.
    ALLOC_KB=$(awk -v n="$OK" -v d="$DURATION" -v h=$((DURATION - DURATION / 2)) '{ b += $NF } END { printf "%.0f", (n > 0 ? b / 1024 / (n * h / d) : 0) }' "$WORK/alloc.collapsed")
    node load-test/profile/stages.mjs "$WORK/alloc.collapsed" "$ALLOC_KB" "Allocation by stage (second half of the measured run)" KB
fi
if [ -n "$STREAM_RESULTS" ]; then
    echo
    echo "Stream benchmark lines:"
    echo "$STREAM_RESULTS"
fi
