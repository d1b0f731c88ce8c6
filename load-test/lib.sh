# Shared by the load-test scripts: find a JDK, build and copy the jar, create a throwaway
# database, start the app on it, wait for health, and clean everything up on exit.
# The sourcing script sets PORT and may set APP_ENV (extra VAR=value words for the app),
# APP_JAVA_OPTS (extra JVM options, e.g. for a profiler), APP_HEAP (the heap option, -Xmx512m
# when unset; empty leaves the heap to JAVA_TOOL_OPTIONS and the JVM's ergonomics) and
# START_TIMEOUT (seconds to wait for health, 60).

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
KEY=bench-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
DB=agentstream_bench_$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
WORK=$(mktemp -d -t agentstream-bench.XXXXXX)
APP_PID=
DB_CREATED=

log() { echo "[bench] $*" >&2; }

stop_app() {
    [ -n "$APP_PID" ] || return 0
    if kill -0 "$APP_PID" 2>/dev/null; then
        kill "$APP_PID" 2>/dev/null || true
        # Graceful shutdown should take a second or two; do not let a stuck JVM keep the
        # database (and this script) hanging.
        for _ in $(seq 1 40); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$APP_PID" 2>/dev/null || true
    fi
    wait "$APP_PID" 2>/dev/null || true
    APP_PID=
}

cleanup() {
    local rc=$?
    stop_app
    rm -f "$WORK/agentstream.jar" # 45 MB; the logs are what is worth keeping
    if [ -n "$DB_CREATED" ]; then
        psql -qX -d postgres -c "drop database if exists $DB with (force)" >/dev/null 2>&1 \
            || log "could not drop database $DB; drop it by hand"
    fi
    [ "$rc" -eq 0 ] || log "failed (exit $rc); app log and tool output kept in $WORK"
}
trap cleanup EXIT
# Make Ctrl-C / kill go through the EXIT trap as well, so the app and database never leak.
trap 'exit 130' INT
trap 'exit 143' TERM

java_major() { "$1/bin/java" -version 2>&1 | sed -n -E '1s/.*version "(1\.)?([0-9]+).*/\2/p'; }

find_java() {
    local candidate major
    for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
        [ -x "$candidate/bin/java" ] || continue
        major=$(java_major "$candidate")
        if [ "${major:-0}" -ge 21 ]; then echo "$candidate"; return 0; fi
    done
    echo "no JDK >= 21 found (looked at \$JAVA_HOME and /usr/lib/jvm/*)" >&2
    return 1
}

# Builds target/agentstream.jar when missing and runs a private copy: a concurrent
# `mvnw package` rewriting target/ under a running JVM would crash it mid-run.
prepare_jar() {
    if [ ! -f target/agentstream.jar ]; then
        log "building target/agentstream.jar with $JAVA_HOME"
        # Offline first (fast, no network when ~/.m2 is populated); online if that fails.
        ./mvnw -q -B -o package -DskipTests || ./mvnw -q -B package -DskipTests
    elif [ -n "$(find src pom.xml -newer target/agentstream.jar -type f -print -quit)" ]; then
        log "note: target/agentstream.jar is older than the sources; delete it to benchmark the current code"
    fi
    cp target/agentstream.jar "$WORK/agentstream.jar"
}

create_database() {
    # Every stored message updates its conversation's row: without autovacuum the dead row versions
    # pile up and each of those statements reads more of them (a soak measured 0.4 ms and 75
    # buffers per message insert after a vacuum, 3.7 ms and 639 before it, 20 minutes in). Production
    # PostgreSQL runs autovacuum (the default, and compose's); a figure measured without it is not
    # one of ours.
    if [ "$(psql -qXtA -d postgres -c 'show autovacuum')" != on ] && [ "${ALLOW_NO_AUTOVACUUM:-}" != 1 ]; then
        echo "PostgreSQL runs with autovacuum off, unlike production: turn it on (psql -c 'alter system set autovacuum = on' -c 'select pg_reload_conf()'), or set ALLOW_NO_AUTOVACUUM=1" >&2
        exit 1
    fi
    psql -qX -v ON_ERROR_STOP=1 -d postgres -c "create database $DB" >/dev/null
    DB_CREATED=1
    log "database $DB, work dir $WORK"
}

# start_app [VAR=value ...]: the app on the throwaway database, key $KEY, port $PORT.
start_app() {
    # Benchmarking whatever else already listens on PORT would give a meaningless figure.
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
        echo "port $PORT is already in use; set PORT" >&2; exit 1
    fi
    env DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$DB" PORT="$PORT" AGENTPIPE_BRIDGE_API_KEY="$KEY" "$@" \
        "$JAVA_HOME/bin/java" ${APP_HEAP--Xmx512m} ${APP_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -jar "${APP_JAR:-$WORK/agentstream.jar}" \
        >"$WORK/app.log" 2>&1 &
    APP_PID=$!
    local deadline=$((SECONDS + ${START_TIMEOUT:-60})) started_ns
    started_ns=$(date +%s%N)
    until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/api/health" 2>/dev/null; do
        if ! kill -0 "$APP_PID" 2>/dev/null; then
            tail -n 40 "$WORK/app.log" >&2; echo "the app exited during start-up" >&2; exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 40 "$WORK/app.log" >&2; echo "the app was not healthy within ${START_TIMEOUT:-60} s (START_TIMEOUT)" >&2; exit 1
        fi
        sleep 0.1
    done
    # Launch of the JVM to the first healthy answer, to 0.1 s: start-up as an orchestrator sees it.
    APP_HEALTHY_MS=$(( ($(date +%s%N) - started_ns) / 1000000 ))
    log "app healthy after $APP_HEALTHY_MS ms"
}

# write_ingest_lua FILE: the wrk script of the ingest load, for key KEY over CONVERSATIONS (50)
# conversations; each wrk run (RUN=label) prints one RESULT line. INGEST_CONTENT is its message text.
write_ingest_lua() {
    local CONVERSATIONS=${CONVERSATIONS:-50}
    # A realistic message: ~500 characters of content and every metric the CLI reports. Plain
    # ASCII without quotes, backslashes or '%', so it can go verbatim into JSON, SQL and a Lua format.
    INGEST_CONTENT=$(printf 'Start with a token bucket per API key, stored in Redis so every instance shares it. %.0s' 1 2 3 4 5 6)
    local CONTENT=$INGEST_CONTENT
    cat >"$1" <<LUA
-- Every request carries a new message_id: a duplicate is answered without writing, which is
-- cheaper and would flatter the figure. Messages are spread over $CONVERSATIONS conversations
-- so that the row lock taken by the totals update on one conversation does not serialise all.
-- Globals, not locals: setup() assigns tid into each thread's state, done() reads sent/non201.
sent, non201, tid = 0, 0, 0
local threads = {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $KEY"}
local run = os.getenv("RUN") or "run"
function request()
  sent = sent + 1
  local t = tid
  local body = string.format('{"type":"message.created","timestamp":"2026-11-20T10:15:07.654321Z","data":{"conversation_id":"bench-conv-%d","message_id":"%s-t%d-%d","agent_id":"claude-1","agent_type":"claude","agent_name":"Architect","content":"$CONTENT","sequence_number":%d,"turn_number":1,"tokens_used":412,"input_tokens":301,"output_tokens":111,"cost":0.00213,"model":"claude-sonnet-4","duration_ms":5234}}',
    (t * 7919 + sent) % $CONVERSATIONS, run, t, sent, sent)
  return wrk.format("POST", "/api/ingest", headers, body)
end
function response(status, headers, body) if status ~= 201 then non201 = non201 + 1 end end
function done(summary, latency, requests)
  local s, bad = 0, 0
  for _, t in ipairs(threads) do s = s + t:get("sent"); bad = bad + t:get("non201") end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d sent=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non201=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, s, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad, e.connect, e.read, e.write, e.timeout))
end
LUA
}

# The process's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# The CPU time of every PostgreSQL server process on this machine, in clock ticks (0 when none is local).
postgres_cpu_ticks() {
    local pid total=0
    for pid in $(pgrep -x postgres || true); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# async-profiler's agent library for this machine, fetched through Maven (it is published as a jar
# holding the native libraries); its path on stdout.
async_profiler() {
    local version=4.2 arch dir=$WORK/async-profiler
    case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) echo "no async-profiler for $(uname -m)" >&2; return 1 ;; esac
    if [ ! -f "$dir/$arch/libasyncProfiler.so" ]; then
        ./mvnw -q -B --no-transfer-progress dependency:copy -Dartifact="tools.profiler:async-profiler:$version" \
            -DoutputDirectory="$dir" >&2
        (cd "$dir" && unzip -q -o "async-profiler-$version.jar" "$arch/libasyncProfiler.so")
    fi
    echo "$dir/$arch/libasyncProfiler.so"
}

# profiler <agent commands>: async-profiler in the app, e.g. "start,event=cpu,threads" or
# "stop,file=x.collapsed,collapsed" (loading the agent again is how each command reaches it). The
# quotes are jcmd's: unquoted, it would read "start,event=cpu" as its own name=value argument.
profiler() { "$JAVA_HOME/bin/jcmd" "$APP_PID" JVMTI.agent_load "$PROFILER_LIB" "\"$1\"" >/dev/null; }

report_app_log() {
    if grep -qE '\b(ERROR|WARN)\b|Exception' "$WORK/app.log"; then
        echo "The app log has ERROR/WARN/Exception lines (first 10):"
        grep -E '\b(ERROR|WARN)\b|Exception' "$WORK/app.log" | head -n 10
    else
        echo "The app log has no ERROR/WARN/Exception lines."
    fi
}
