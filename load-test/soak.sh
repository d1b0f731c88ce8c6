#!/usr/bin/env bash
# Soak: ten times the seed targets for an hour, against the packaged jar on a fresh database,
# with Redis and the image's JVM settings, to show that memory, file descriptors and database
# connections stay flat and that nothing acknowledged is lost.
#
# The load (load-test/soak/soak.mjs, two Node.js processes, everything on 127.0.0.1):
#   - CLIS (1000) agent CLIs sending EVENTS_PER_MINUTE (10,000) events a minute in all, each
#     on its own keep-alive connection, started over RAMP (120) s: conversations of 2-3 agents
#     and 3-8 turns (bridge.connected, conversation.started, one message.created per agent and
#     a log.entry per turn, conversation.error in 5%, conversation.completed), message content
#     of CONTENT_BYTES (200-4000) bytes of Markdown-like text, 2% of messages sent again after
#     their answer (the CLI's retry) and expected back as duplicates of the same offset;
#   - STREAMS (500) SSE streams: OVERVIEW_STREAMS (50) unfiltered (the dashboard's overview),
#     the rest conversation pages, each following one live conversation from its
#     conversation.started (resuming from just before it) until it completes, then another;
#     RECONNECTING (100) of them, spread over both kinds, drop their connection every
#     RECONNECT_EVERY (60) s (±20%) and resume after the last event they received, half with
#     the Last-Event-ID header and half with last_event_id; streams the server ends resume too;
#   - a session upload of UPLOAD_MESSAGES (1000) messages every UPLOAD_EVERY (30) s, JSON and
#     the CLI's NDJSON event log in turn.
# Every INTERVAL (300) s one line: heap used after a full GC (jcmd GC.run, then jstat -gc's
# used columns, whatever the collector), RSS, direct memory in use (the JVM's direct buffer
# pool plus Netty's own count: on JDK 24+ with native access Netty mallocs its buffers outside
# the JVM's pool, so neither /actuator/prometheus nor NMT sees them; a small agent compiled here
# and loaded with jcmd reads both, and the JVM logs one warning about it), open file
# descriptors, the app's connections in pg_stat_activity, and the ingest p99 over the interval
# (client side, from when each event was due; each interval holds the pause of the full GC the
# previous sample forced, about 0.5 s with the serial collector on a busy 2-core machine, which
# is 1% of an interval's events only at short intervals and low rates); then the
# interval's traffic. After DURATION (3600) s the load stops and the run is checked:
#   - every acknowledged event is in PostgreSQL under its offset, with its type and
#     conversation; every acknowledged message is stored once, by that event; every accepted
#     upload has all its messages; every conversation's totals equal its stored messages;
#   - every stream received every acknowledged event of its filter after its resume point
#     (upload events included) exactly once and in order, and every resume was `recovered`.
# Verdict: each figure is flat when the median of the last three samples is at most the median
# of the first three at or after WARMUP (DURATION/6, at least RAMP + INTERVAL) plus TOLERANCE (5)
# percent; medians of three because one sample can catch an upload or a burst in flight. Direct
# memory may also grow by 8 MB (Netty takes and returns it in chunks of several MB), database
# connections by 2 (the pool opens and closes them with the load), and the p99 passes below
# P99_BOUND (50 ms) as well. A figure that falls is flat. And nothing lost, and under 0.1% of
# ingest requests failed. The script exits 1 when the verdict is FAIL.
#
#   load-test/soak.sh                               # the hour
#   DURATION=600 INTERVAL=60 load-test/soak.sh      # a short run of the same load
#   JAR=/tmp/other.jar load-test/soak.sh            # another build
#
# The jar is target/agentstream.jar (or JAR), never built here. JVM_OPTIONS defaults to the
# image's: the Dockerfile's JAVA_TOOL_OPTIONS, given to the app the same way, with
# -XX:MaxRAM and -XX:ActiveProcessorCount set to compose's memory and CPU limits for the
# service, which the JVM would read from its cgroup (so MaxRAMPercentage gives the same heap,
# and the JVM picks the collector it picks in the container). The app runs with REDIS_URL
# (redis://127.0.0.1:6379; shared rate limits and wake-ups, a key prefix of its own),
# LOG_FORMAT=json and MANAGEMENT_PORT (PORT + 1) as compose runs it, and with the stream
# limits per address and the stream-connect rate lifted, since every stream comes from one
# address and one key. PORT (18191); PGHOST/PGPORT/PGUSER as for bench.sh.
#
# Needs a JDK >= 21 (jcmd, jstat, javac), psql, curl and Node.js >= 20. The app log, the
# drivers' output and the acknowledged offsets stay in a temp directory printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3600}
INTERVAL=${INTERVAL:-300}
RAMP=${RAMP:-120}
# The baseline sample comes after the ramp and an interval of full load, and no earlier than a
# sixth of the run (10 minutes of the hour). The replay ring (SSE_REPLAY_BUFFER_SIZE, 10,000
# events) fills in a minute at 10,000 events a minute and the heap grows until it has: at lower
# rates set WARMUP past that (a 10-minute run at 1,000 a minute still grew in its first half).
WARMUP=${WARMUP:-$(( DURATION / 6 > RAMP + INTERVAL ? DURATION / 6 : RAMP + INTERVAL ))}
CLIS=${CLIS:-1000}
EVENTS_PER_MINUTE=${EVENTS_PER_MINUTE:-10000}
CONTENT_BYTES=${CONTENT_BYTES:-200-4000}
STREAMS=${STREAMS:-500}
OVERVIEW_STREAMS=${OVERVIEW_STREAMS:-50}
RECONNECTING=${RECONNECTING:-100}
RECONNECT_EVERY=${RECONNECT_EVERY:-60}
UPLOAD_EVERY=${UPLOAD_EVERY:-30}
UPLOAD_MESSAGES=${UPLOAD_MESSAGES:-1000}
TOLERANCE=${TOLERANCE:-5}
P99_BOUND=${P99_BOUND:-50}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
PORT=${PORT:-18191}
for n in DURATION INTERVAL RAMP CLIS EVENTS_PER_MINUTE STREAMS OVERVIEW_STREAMS RECONNECT_EVERY UPLOAD_EVERY UPLOAD_MESSAGES TOLERANCE P99_BOUND PORT; do
    [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || { echo "$n must be a positive whole number" >&2; exit 2; }
done
[[ $WARMUP =~ ^[0-9]+$ && $RECONNECTING =~ ^[0-9]+$ ]] || { echo "WARMUP and RECONNECTING must be whole numbers" >&2; exit 2; }
[[ $CONTENT_BYTES =~ ^([0-9]+)-([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] \
    || { echo "CONTENT_BYTES must be MIN-MAX, e.g. 200-4000" >&2; exit 2; }
CONTENT_MIN=${BASH_REMATCH[1]}; CONTENT_MAX=${BASH_REMATCH[2]}
[ "$OVERVIEW_STREAMS" -le "$STREAMS" ] || { echo "OVERVIEW_STREAMS must not exceed STREAMS" >&2; exit 2; }
# The verdict compares the last three samples with the first three after the warm-up.
[ "$WARMUP" -le $((DURATION - 5 * INTERVAL)) ] || { echo "WARMUP must leave at least 6 samples (5 INTERVALs) after it" >&2; exit 2; }

# shellcheck source=lib.sh
. load-test/lib.sh

for tool in psql curl node; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done
JAVA_HOME=$(find_java)
export JAVA_HOME
for tool in jcmd jstat javac jar; do
    [ -x "$JAVA_HOME/bin/$tool" ] || { echo "$JAVA_HOME has no $tool: a JDK is needed, not a JRE" >&2; exit 1; }
done
if [ -n "${JAR:-}" ]; then
    cp "$JAR" "$WORK/agentstream.jar"
else
    [ -f target/agentstream.jar ] || { echo "target/agentstream.jar is missing: ./mvnw package first, or set JAR" >&2; exit 1; }
    cp target/agentstream.jar "$WORK/agentstream.jar"
fi

# --- The image's JVM settings -----------------------------------------------------------------

# compose_limit cpus|memory: the agentstream service's limit in docker-compose.yml.
compose_limit() {
    awk -v key="$1" '
        /^  [A-Za-z0-9_-]+:/ { service = $1 }
        service == "agentstream:" && /limits:/ && match($0, key ": *\"?[0-9.]+[a-zA-Z]*") {
            value = substr($0, RSTART, RLENGTH); sub(key ": *\"?", "", value); print value; exit
        }' docker-compose.yml
}
if [ -z "${JVM_OPTIONS:-}" ]; then
    IMAGE_OPTIONS=$(sed -n -E '/^[[:space:]]*#/d; s/.*JAVA_TOOL_OPTIONS="([^"]*)".*/\1/p' Dockerfile | head -n 1)
    MEMORY_LIMIT=$(compose_limit memory)
    CPU_LIMIT=$(compose_limit cpus)
    [ -n "$IMAGE_OPTIONS" ] && [ -n "$MEMORY_LIMIT" ] && [ -n "$CPU_LIMIT" ] \
        || { echo "could not read JAVA_TOOL_OPTIONS from the Dockerfile or the limits from docker-compose.yml; set JVM_OPTIONS" >&2; exit 1; }
    JVM_OPTIONS="-XX:MaxRAM=$MEMORY_LIMIT -XX:ActiveProcessorCount=$(awk -v c="$CPU_LIMIT" 'BEGIN { n = int(c); print (n < c ? n + 1 : n) }') $IMAGE_OPTIONS"
fi

# --- Probe: direct memory as the JVM and Netty count it -----------------------------------------

mkdir -p "$WORK/probe/classes"
cat >"$WORK/probe/DirectMemoryProbe.java" <<'JAVA'
import java.lang.instrument.Instrumentation;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loaded into the app by jcmd: writes "jvm=<bytes> netty=<bytes>" (-1 when unknown) to the file it is given. */
public final class DirectMemoryProbe {
    public static void agentmain(String file, Instrumentation instrumentation) throws Exception {
        long jvm = -1;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jvm = pool.getMemoryUsed();
            }
        }
        long netty = -1;
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (type.getName().equals("io.netty.util.internal.PlatformDependent")) {
                netty = (long) type.getMethod("usedDirectMemory").invoke(null);
                break;
            }
        }
        Files.writeString(Path.of(file), "jvm=" + jvm + " netty=" + netty + "\n");
    }
}
JAVA
"$JAVA_HOME/bin/javac" -d "$WORK/probe/classes" "$WORK/probe/DirectMemoryProbe.java"
printf 'Agent-Class: DirectMemoryProbe\n' >"$WORK/probe/manifest.txt"
"$JAVA_HOME/bin/jar" cfm "$WORK/probe/probe.jar" "$WORK/probe/manifest.txt" -C "$WORK/probe/classes" .

# --- App on a fresh database --------------------------------------------------------------------

create_database
REDIS_PREFIX="agentstream-soak-${DB#agentstream_bench_}:"
log "JVM options (as JAVA_TOOL_OPTIONS): $JVM_OPTIONS"
# Every stream and every CLI comes from 127.0.0.1 with one key: the per-address stream cap and
# the stream-connect rate are lifted above what the run opens; every other limit is the default.
# One CPU's worth of JIT and a serial collector start slowly on a busy machine: up to 3 minutes.
APP_HEAP="" START_TIMEOUT=${START_TIMEOUT:-180} start_app JAVA_TOOL_OPTIONS="$JVM_OPTIONS" REDIS_URL="$REDIS_URL" REDIS_KEY_PREFIX="$REDIS_PREFIX" \
    LOG_FORMAT=json MANAGEMENT_PORT=$((PORT + 1)) \
    SSE_MAX_CONNECTIONS_PER_IP=$((STREAMS + 100)) RATE_LIMIT_STREAM_CONNECT=$((STREAMS * 20)) ${APP_ENV:-}
BASE="http://127.0.0.1:$PORT"
HEALTH=$(curl -fsS "$BASE/api/health")
grep -q '"redis":{"status":"UP"' <<<"$HEALTH" || { echo "the app does not report Redis UP: $HEALTH" >&2; exit 1; }
FLAGS=$("$JAVA_HOME/bin/jcmd" "$APP_PID" VM.flags)
MAX_HEAP_MB=$(( $(sed -n -E 's/.*-XX:MaxHeapSize=([0-9]+).*/\1/p' <<<"$FLAGS") / 1048576 ))
GC=$(grep -o -E -- '-XX:\+Use[A-Za-z]+GC' <<<"$FLAGS" | head -n 1 | sed -E 's/-XX:\+Use//')

# --- Drivers ------------------------------------------------------------------------------------

RUN_ID=soak-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
DEADLINE_MS=$(( ($(date +%s) + DURATION + RAMP + 600) * 1000 ))
driver_options() {
    cat <<JSON
{"base":"$BASE","key":"$KEY","deadlineMs":$DEADLINE_MS,"runId":"$RUN_ID","rampSeconds":$RAMP,
 "clis":$CLIS,"eventsPerMinute":$EVENTS_PER_MINUTE,"contentBytes":[$CONTENT_MIN,$CONTENT_MAX],
 "uploadEverySeconds":$UPLOAD_EVERY,"uploadMessages":$UPLOAD_MESSAGES,
 "ackedFile":"$WORK/acked.tsv","uploadsFile":"$WORK/uploads.tsv",
 "streams":$STREAMS,"overview":$OVERVIEW_STREAMS,"reconnecting":$RECONNECTING,
 "reconnectEverySeconds":$RECONNECT_EVERY,"lingerSeconds":10,"viewerMaxSeconds":600}
JSON
}
OPTIONS=$(driver_options | tr -d '\n')
CLIS_PID=; STREAMS_PID=; SLEEP_PID=

stop_drivers() {
    local pid
    exec 3>&- 4>&-
    for pid in $CLIS_PID $STREAMS_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $CLIS_PID $STREAMS_PID; do wait "$pid" 2>/dev/null || true; done
    CLIS_PID=; STREAMS_PID=
}
soak_cleanup() {
    local rc=$?
    # errexit would end the handler at the first failure here, before the app and database go.
    set +e
    [ -z "$SLEEP_PID" ] || kill "$SLEEP_PID" 2>/dev/null
    stop_drivers
    (exit "$rc")
    cleanup
    # After the app has stopped, or its last requests would write rate-limit keys again.
    if [ -n "${REDIS_PREFIX:-}" ] && command -v redis-cli >/dev/null; then
        redis-cli -u "$REDIS_URL" --scan --pattern "$REDIS_PREFIX*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1
    fi
}
trap soak_cleanup EXIT

# ask FD FILE COMMAND [SECONDS]: sends a command to a driver, prints its one-line JSON answer.
ask() {
    local before
    before=$(wc -l <"$2")
    echo "$3" >&"$1"
    for _ in $(seq 1 $((${4:-60} * 10))); do
        if [ "$(wc -l <"$2")" -gt "$before" ]; then tail -n 1 "$2"; return 0; fi
        sleep 0.1
    done
    echo "no answer to '$3' from the driver within ${4:-60} s (see $2 and its .err)" >&2
    return 1
}
# flat JSON: "key=value" words, nested keys dotted (total.errors.timeout=3).
flat() {
    node -e 'const f = (o, p) => Object.entries(o).flatMap(([k, v]) => v !== null && typeof v === "object" ? f(v, `${p}${k}.`) : [`${p}${k}=${v}`]);
             console.log(f(JSON.parse(process.argv[1]), "").join(" "))' "$1"
}
field() { sed -n -E "s/.* $2=([^ ]+).*/\1/p" <<<" $1"; }

mkfifo "$WORK/streams.in" "$WORK/clis.in"
node load-test/soak/soak.mjs streams "$OPTIONS" <"$WORK/streams.in" >"$WORK/streams.out" 2>"$WORK/streams.out.err" &
STREAMS_PID=$!
exec 4>"$WORK/streams.in"
log "opening $OVERVIEW_STREAMS overview streams"
for _ in $(seq 1 600); do
    grep -q '"ready"' "$WORK/streams.out" && break
    kill -0 "$STREAMS_PID" 2>/dev/null || { cat "$WORK/streams.out.err" >&2; echo "the stream driver exited" >&2; exit 1; }
    sleep 0.1
done
grep -q '"ready"' "$WORK/streams.out" || { echo "the overview streams did not open within 60 s" >&2; exit 1; }
node load-test/soak/soak.mjs clis "$OPTIONS" <"$WORK/clis.in" >"$WORK/clis.out" 2>"$WORK/clis.out.err" &
CLIS_PID=$!
exec 3>"$WORK/clis.in"
STARTED=$SECONDS
log "soak: $CLIS CLIs at $EVENTS_PER_MINUTE events/min (ramp $RAMP s), $STREAMS streams ($RECONNECTING reconnecting every $RECONNECT_EVERY s), an upload every $UPLOAD_EVERY s; $DURATION s, a line every $INTERVAL s"
echo "SOAK start date=$(date -u +%Y-%m-%dT%H:%M:%SZ) cores=$(nproc) jar=$(sha256sum "$WORK/agentstream.jar" | cut -c1-12) gc=$GC max_heap_mb=$MAX_HEAP_MB jvm=\"$JVM_OPTIONS\""

# --- Samples ------------------------------------------------------------------------------------

# Where the machine's CPU went over the interval, as a share of all its cores: the app, every
# PostgreSQL process (those that have exited count through the postmaster, which reaps them),
# each driver, and the whole machine. The p99 is measured on a machine the soak itself keeps
# busy; a figure that moves with one of these moves with the CPU left to the others.
TICKS=$(getconf CLK_TCK)
PG_DATA=$(psql -qXtA -d postgres -c 'show data_directory' 2>/dev/null || true)
PG_MASTER=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
process_ticks() { awk -v reaped="${2:-0}" '{ sub(/^.*\) /, ""); print $12 + $13 + (reaped ? $14 + $15 : 0) }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() {
    local pid total=0
    [ -n "$PG_MASTER" ] && [ -d "/proc/$PG_MASTER" ] || { echo 0; return; }
    total=$(process_ticks "$PG_MASTER" 1)
    for pid in $(pgrep -P "$PG_MASTER" || true); do total=$((total + $(process_ticks "$pid"))); done
    echo "$total"
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
declare -A CPU_BEFORE
cpu_mark() {
    CPU_BEFORE[app]=$(process_ticks "$APP_PID"); CPU_BEFORE[pg]=$(postgres_ticks)
    CPU_BEFORE[clis]=$(process_ticks "$CLIS_PID"); CPU_BEFORE[streams]=$(process_ticks "$STREAMS_PID")
    read -r CPU_BEFORE[busy] CPU_BEFORE[all] <<<"$(machine_ticks)"
    CPU_BEFORE[at]=$(date +%s%N)
}
# cpu_shares: "cpu_app=..% cpu_postgres=..% ..." since cpu_mark, in percent of all cores.
cpu_shares() {
    local now busy all wall
    now=$(date +%s%N); read -r busy all <<<"$(machine_ticks)"
    wall=$(awk -v a="${CPU_BEFORE[at]}" -v b="$now" -v t="$TICKS" -v c="$(nproc)" 'BEGIN { printf "%.3f", (b - a) / 1e9 * t * c }')
    share() { awk -v d="$1" -v w="$wall" 'BEGIN { printf "%.0f%%", (w > 0 ? 100 * d / w : 0) }'; }
    echo "cpu_app=$(share $(($(process_ticks "$APP_PID") - CPU_BEFORE[app])))" \
        "cpu_postgres=$(share $(($(postgres_ticks) - CPU_BEFORE[pg])))" \
        "cpu_clis=$(share $(($(process_ticks "$CLIS_PID") - CPU_BEFORE[clis])))" \
        "cpu_streams=$(share $(($(process_ticks "$STREAMS_PID") - CPU_BEFORE[streams])))" \
        "cpu_machine=$(awk -v b="$((busy - CPU_BEFORE[busy]))" -v a="$((all - CPU_BEFORE[all]))" 'BEGIN { printf "%.0f%%", (a > 0 ? 100 * b / a : 0) }')"
}
# The server's own ingest p99 over the interval, from its histogram (agentstream_ingest_latency:
# from the request's arrival to its answer), as the upper bound of the bucket it falls in, and
# the mean: beside the client's p99, it tells the server's time from the time a request waited
# for a CPU on the client's side or in the kernel.
INGEST_BUCKETS_BEFORE=
ingest_buckets() {
    curl -fsS --max-time 10 "http://127.0.0.1:$((PORT + 1))/actuator/prometheus" 2>/dev/null | awk '
        /^agentstream_ingest_latency_seconds_bucket\{/ && /outcome="stored"/ { match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5); n[le] += $NF }
        /^agentstream_ingest_latency_seconds_(sum|count)\{/ && /outcome="stored"/ { split($1, name, "{"); n[name[1]] += $NF }
        END { for (k in n) print k, n[k] }' | sort
}
server_ingest() {
    local now
    now=$(ingest_buckets)
    awk -v before="$INGEST_BUCKETS_BEFORE" '
        BEGIN { split(before, lines, "\n"); for (i in lines) { split(lines[i], f, " "); if (f[1] != "") b[f[1]] = f[2] } }
        { d = $2 - b[$1]; if ($1 == "agentstream_ingest_latency_seconds_count") count = d
          else if ($1 == "agentstream_ingest_latency_seconds_sum") sum = d
          else if ($1 != "+Inf") { le[++k] = $1 + 0; c[k] = d } }
        END {
            if (count <= 0) { print "server_p99_ms=none server_mean_ms=none"; exit }
            m = 0; for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (le[j] < le[i]) { t = le[i]; le[i] = le[j]; le[j] = t; t = c[i]; c[i] = c[j]; c[j] = t }
            p99 = "inf"; for (i = 1; i <= k; i++) if (c[i] >= 0.99 * count) { p99 = sprintf("%.1f", le[i] * 1000); break }
            printf "server_p99_ms=%s server_mean_ms=%.1f\n", p99, sum / count * 1000 }' <<<"$now"
    INGEST_BUCKETS_BEFORE=$now
}
# The database's housekeeping so far: autovacuum and autoanalyze runs on events, checkpoints.
db_housekeeping() {
    psql -qXtA -F ' ' -d "$DB" -c "select 'events_autovacuums=' || autovacuum_count, 'events_autoanalyzes=' || autoanalyze_count,
        'events_rows=' || n_live_tup, 'checkpoints=' || (select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)
        from pg_stat_user_tables where relname = 'events'" 2>/dev/null || true
}

declare -a T HEAP RSS DIRECT FDS DBC P99
sample() {
    local clis streams heap direct jvm netty
    clis=$(flat "$(ask 3 "$WORK/clis.out" stats)")
    streams=$(flat "$(ask 4 "$WORK/streams.out" stats)")
    kill -0 "$APP_PID" 2>/dev/null || { tail -n 40 "$WORK/app.log" >&2; echo "the app exited" >&2; exit 1; }
    "$JAVA_HOME/bin/jcmd" "$APP_PID" GC.run >/dev/null
    # S0U S1U EU OU, in KB: the heap in use, after the full GC just run.
    heap=$("$JAVA_HOME/bin/jstat" -gc "$APP_PID" | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
        NR == 2 { printf "%.1f", ($c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"]) / 1024 }')
    rm -f "$WORK/probe/out.txt"
    "$JAVA_HOME/bin/jcmd" "$APP_PID" JVMTI.agent_load "$WORK/probe/probe.jar" "$WORK/probe/out.txt" >/dev/null
    jvm=$(sed -n -E 's/.*jvm=(-?[0-9]+).*/\1/p' "$WORK/probe/out.txt")
    netty=$(sed -n -E 's/.*netty=(-?[0-9]+).*/\1/p' "$WORK/probe/out.txt")
    direct=$(awk -v j="$jvm" -v n="$netty" 'BEGIN { printf "%.1f", ((j > 0 ? j : 0) + (n > 0 ? n : 0)) / 1048576 }')
    T+=("$1"); HEAP+=("$heap"); DIRECT+=("$direct")
    RSS+=("$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$APP_PID/status")")
    FDS+=("$(find "/proc/$APP_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)")
    DBC+=("$(psql -qXtA -d postgres -c "select count(*) from pg_stat_activity where datname = '$DB'")")
    P99+=("$(field "$clis" p99_ms)")
    local i=$((${#T[@]} - 1)) cpu server
    cpu=$(cpu_shares); server=$(server_ingest)
    echo "SOAK t_s=$1 heap_after_gc_mb=${HEAP[i]} rss_mb=${RSS[i]} direct_mb=${DIRECT[i]} fds=${FDS[i]}" \
        "db_connections=${DBC[i]} ingest_p99_ms=${P99[i]}" \
        "| ingest_per_min=$(field "$clis" ingest_per_min) ok=$(field "$clis" ingest_ok) errors=$(field "$clis" ingest_errors)" \
        "p50_ms=$(field "$clis" p50_ms) max_ms=$(field "$clis" max_ms)" \
        "uploads=$(field "$clis" uploads) uploads_failed=$(field "$clis" uploads_failed) upload_max_s=$(field "$clis" upload_max_s)" \
        "| streams_open=$(field "$streams" open) stream_events=$(field "$streams" events) connects=$(field "$streams" connects)" \
        "refused=$(field "$streams" failures) live_conversations=$(field "$streams" live_conversations)" \
        "| direct_jvm_mb=$(awk -v b="$jvm" 'BEGIN { printf "%.1f", b / 1048576 }') direct_netty_mb=$(awk -v b="$netty" 'BEGIN { printf "%.1f", b / 1048576 }')" \
        "load=$(cut -d' ' -f1 /proc/loadavg)" \
        "| $server $cpu $(db_housekeeping)"
    cpu_mark
}

cpu_mark
INGEST_BUCKETS_BEFORE=$(ingest_buckets)
for ((k = 1; k * INTERVAL <= DURATION; k++)); do
    wait_s=$((STARTED + k * INTERVAL - SECONDS))
    # In the background and waited for, so that a signal ends the run at once, not after the sleep.
    if [ "$wait_s" -gt 0 ]; then sleep "$wait_s" & SLEEP_PID=$!; wait "$SLEEP_PID"; SLEEP_PID=; fi
    kill -0 "$CLIS_PID" 2>/dev/null || { cat "$WORK/clis.out.err" >&2; echo "the CLI driver exited" >&2; exit 1; }
    kill -0 "$STREAMS_PID" 2>/dev/null || { cat "$WORK/streams.out.err" >&2; echo "the stream driver exited" >&2; exit 1; }
    sample $((k * INTERVAL))
done

# --- Checks -------------------------------------------------------------------------------------

log "stopping the load; checking what was acknowledged"
STOPPED=$(flat "$(ask 3 "$WORK/clis.out" stop 60)")
# An accepted upload acknowledges its events (the NDJSON log's, and session.uploaded): streams must get them too.
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "\\copy (select id, type, conversation_id, '' from events where conversation_id like '$RUN_ID-upload-%') to '$WORK/acked-uploads.tsv'" >/dev/null
CHECKED=$(flat "$(ask 4 "$WORK/streams.out" "finish $WORK/acked.tsv $WORK/acked-uploads.tsv" 180)")
STORED=$(psql -qXtA -F ' ' -v ON_ERROR_STOP=1 -d "$DB" <<SQL | tail -n 1
create temp table acked (event_id bigint, type text, conversation_id text, message_id text);
\\copy acked from '$WORK/acked.tsv'
create temp table uploaded (conversation_id text, messages bigint, format text, bytes bigint);
\\copy uploaded from '$WORK/uploads.tsv'
create index on acked (event_id);
select (select count(*) from acked),
       (select count(*) from acked a where not exists (select 1 from events e where e.id = a.event_id
            and e.type = a.type and e.conversation_id is not distinct from nullif(a.conversation_id, ''))),
       (select count(*) from acked a where a.type = 'message.created' and not exists (select 1 from messages m
            where m.conversation_id = a.conversation_id and m.message_id = a.message_id and m.event_id = a.event_id)),
       (select count(*) from uploaded),
       (select count(*) from uploaded u where (select count(*) from messages m where m.conversation_id = u.conversation_id) <> u.messages),
       (select count(*) from conversations c where c.message_count <> (select count(*) from messages m where m.conversation_id = c.id));
SQL
)
read -r ACKED LOST_EVENTS LOST_MESSAGES UPLOADED LOST_UPLOADS WRONG_TOTALS <<<"$STORED"
stop_drivers
stop_app

# --- Verdict ------------------------------------------------------------------------------------

# Rows are appended to ROWS / CHECKS here, not printed from command substitutions, so that a
# failed row can set VERDICT.
BASE_INDEX=0
while [ "${T[BASE_INDEX]}" -lt "$WARMUP" ]; do BASE_INDEX=$((BASE_INDEX + 1)); done
VERDICT=PASS
ROWS=
CHECKS=
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
# flat_row ARRAY LABEL SLACK [BOUND]: grown when the median of the last three samples exceeds the
# median of the first three after the warm-up by more than TOLERANCE% plus SLACK (and BOUND,
# when given).
flat_row() {
    local -n values=$1
    local n=${#values[@]} first last base median limit ok
    first=("${values[@]:BASE_INDEX:3}")
    last=("${values[@]: -3}")
    base=$(median3 "${first[@]}")
    median=$(median3 "${last[@]}")
    limit=$(awk -v b="$base" -v t="$TOLERANCE" -v s="$3" -v bound="${4:-0}" 'BEGIN { l = b * (1 + t / 100) + s; if (bound > l) l = bound; printf "%.1f", l }')
    ok=$(awk -v m="$median" -v l="$limit" 'BEGIN { print (m <= l ? "yes" : "no") }')
    [ "$ok" = yes ] || VERDICT=FAIL
    ROWS+="| $2 | ${first[0]}, ${first[1]}, ${first[2]} | $base | ${last[0]}, ${last[1]}, ${last[2]} | $median | ≤ $limit | $ok |"$'\n'
}
zero_row() {
    local ok=yes
    [ "$2" = 0 ] || { ok=no; VERDICT=FAIL; }
    CHECKS+="| $1 | 0 | ${2:-not measured} | $ok |"$'\n'
}
# words PREFIX FLAT: the "key=value" words under PREFIX, prefix removed, comma-separated.
words() { awk -v p="$1" -v s="$2" 'BEGIN { n = split(s, w, " "); for (i = 1; i <= n; i++) if (index(w[i], p) == 1) out = out (out ? ", " : "") substr(w[i], length(p) + 1); print out }'; }

flat_row HEAP "heap after full GC, MB" 0
flat_row RSS "RSS, MB" 0
# Netty's allocator takes and returns memory in chunks of up to several MB: 4-12 MB swings between
# samples at a steady load.
flat_row DIRECT "direct memory (JVM + Netty), MB (+ 8 allowed)" 8
flat_row FDS "open file descriptors" 0
flat_row DBC "database connections (+ 2 allowed)" 2
flat_row P99 "ingest p99 over the interval, ms (or ≤ $P99_BOUND)" 0 "$P99_BOUND"
zero_row "acknowledged events not in PostgreSQL under their offset (of $ACKED)" "$LOST_EVENTS"
zero_row "acknowledged messages not stored once by their event" "$LOST_MESSAGES"
zero_row "accepted uploads without all their messages (of $UPLOADED)" "$LOST_UPLOADS"
zero_row "conversations whose totals differ from their stored messages" "$WRONG_TOTALS"
zero_row "stream events missed ($(field "$CHECKED" streams_checked) streams, $(field "$CHECKED" events_checked) expected deliveries)" "$(field "$CHECKED" missing)"
zero_row "stream events received twice" "$(field "$CHECKED" duplicates)"
zero_row "stream events out of order" "$(field "$CHECKED" out_of_order)"
zero_row "stream events outside the stream's filter" "$(field "$CHECKED" outside_filter)"
zero_row "resumes not recovered" "$(field "$CHECKED" not_recovered)"
zero_row "retries not answered as a duplicate of the same offset (of $(field "$STOPPED" total.retries))" "$(field "$STOPPED" total.retryMismatch)"
SENT=$(field "$STOPPED" total.sent)
FAILED=$(words total.errors. "$STOPPED" | tr ',' '\n' | awk -F= '{ f += $2 } END { print f + 0 }')
FAILED_OK=$(awk -v f="$FAILED" -v s="$SENT" 'BEGIN { print (s > 0 && f / s < 0.001 ? "yes" : "no") }')
[ "$FAILED_OK" = yes ] || VERDICT=FAIL
ERRORS=$(words total.errors. "$STOPPED")
CHECKS+="| failed ingest requests | < 0.1% | $FAILED of $SENT${ERRORS:+ ($ERRORS)} | $FAILED_OK |"$'\n'

cat <<TABLE

## Soak ($(date -u +%Y-%m-%d), $(nproc) cores shared by the app, PostgreSQL, Redis and the load generators)

$CLIS CLIs at $EVENTS_PER_MINUTE events/min, $STREAMS streams ($OVERVIEW_STREAMS overview, $RECONNECTING reconnecting every $RECONNECT_EVERY s), an upload of $UPLOAD_MESSAGES messages every $UPLOAD_EVERY s, for $DURATION s; $GC, heap max $MAX_HEAP_MB MB (\`$JVM_OPTIONS\`), Redis.
Flat: the median of the last three samples (t=${T[-3]}–${T[-1]} s) is at most the median of the first three after the ${WARMUP} s warm-up (t=${T[BASE_INDEX]}–${T[BASE_INDEX + 2]} s) + $TOLERANCE%.

| figure | first three | median | last three | median | limit | flat |
|---|---|---|---|---|---|---|
$ROWS
| check | target | measured | met |
|---|---|---|---|
$CHECKS
Streams: $(field "$CHECKED" connects) connections, ended by: $(words ends. "$CHECKED"); refused: $(words failures. "$CHECKED" | sed 's/^$/none/'); caught up at the end: $(field "$CHECKED" caught_up); unacknowledged events received (committed but not answered, e.g. after a client timeout): $(field "$CHECKED" unacknowledged_received). Uploads: $(field "$STOPPED" total.uploads) accepted, $(field "$STOPPED" total.uploadsFailed) failed.

VERDICT: $VERDICT
TABLE
echo
echo "Raw output and app log: $WORK (app.log, clis.out, streams.out, acked.tsv, uploads.tsv)"
report_app_log || true  # head closes the pipe early: not a failure
[ "$VERDICT" = PASS ]
