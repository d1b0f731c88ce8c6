#!/usr/bin/env bash
# Side-by-side ingest benchmark: PostgreSQL's own single-row INSERT rate (pgbench) and
# agentstream's message.created ingest rate (wrk), on the same fresh database, in one run,
# at the same concurrency. The ratio is what matters: these machines are noisy.
#
#   load-test/bench.sh                      # CONCURRENCY=16 DURATION=20 WARMUP=20 CONVERSATIONS=50
#   CONCURRENCY=4 DURATION=30 load-test/bench.sh
#
# Needs: a JDK >= 21, PostgreSQL reachable as PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432,
# postgres, allowed to create databases), pgbench, psql, and wrk (installed with apt-get
# when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

CONCURRENCY=${CONCURRENCY:-16}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-20}
CONVERSATIONS=${CONVERSATIONS:-50}
PORT=${PORT:-18181}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
KEY=bench-key-0123456789abcdef
DB=agentstream_bench_$RANDOM$RANDOM
WORK=$(mktemp -d)
APP_PID=

cleanup() {
    [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
    psql -q -d postgres -c "drop database if exists $DB with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

find_java() {
    local candidate major
    for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
        [ -x "$candidate/bin/java" ] || continue
        major=$("$candidate/bin/java" -version 2>&1 | sed -n -E '1s/.*version "([0-9]+).*/\1/p')
        if [ "${major:-0}" -ge 21 ]; then echo "$candidate"; return; fi
    done
    echo "no JDK >= 21 found" >&2; return 1
}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
export JAVA_HOME=$(find_java)
[ -f target/agentstream.jar ] || ./mvnw -q -B package -DskipTests

psql -q -d postgres -c "create database $DB" >/dev/null
DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$DB" PORT=$PORT AGENTPIPE_BRIDGE_API_KEY=$KEY \
    DATABASE_POOL_MAX=$((CONCURRENCY > 10 ? CONCURRENCY : 10)) \
    "$JAVA_HOME/bin/java" -Xmx512m -jar target/agentstream.jar >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; exit 1; }
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null

# A realistic message: ~500 characters of content and every metric the CLI reports.
CONTENT=$(printf 'Start with a token bucket per API key, stored in Redis so every instance shares it. %.0s' 1 2 3 4 5 6)
cat >"$WORK/ingest.lua" <<LUA
-- Every request a new message (a duplicate would be cheaper and flatter the figure),
-- spread over $CONVERSATIONS conversations so one row lock does not serialise everything.
local counter, thread_id = 0, 0
non201 = 0 -- global: done() reads it from each thread
local threads = {}
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function init(args) thread_id = id end
function request()
  counter = counter + 1
  local n = thread_id * 100000000 + counter
  local body = string.format('{"type":"message.created","timestamp":"2026-11-20T10:15:07.654321Z","data":{"conversation_id":"bench-conv-%d","message_id":"m-%s-%d","agent_id":"claude-1","agent_type":"claude","agent_name":"Architect","content":"$CONTENT","sequence_number":%d,"turn_number":1,"tokens_used":412,"input_tokens":301,"output_tokens":111,"cost":0.00213,"model":"claude-sonnet-4","duration_ms":5234}}',
    n % $CONVERSATIONS, os.getenv("RUN") or "run", n, counter)
  return wrk.format("POST", "/api/ingest", {["Content-Type"]="application/json", ["Authorization"]="Bearer $KEY"}, body)
end
function response(status, headers, body) if status ~= 201 then non201 = non201 + 1 end end
function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do errors = errors + t:get("non201") end
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f non201=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors))
end
LUA

# The baseline: one row of the same shape and size per transaction, at the same concurrency,
# into a copy of the messages table with its identity, defaults and indexes.
psql -q -d "$DB" -c "create table bench_insert (like messages including all)" >/dev/null
cat >"$WORK/insert.sql" <<SQL
\set n random(1, 1000000000)
insert into bench_insert (conversation_id, message_id, agent_id, agent_type, agent_name, content, sequence_number,
  turn_number, tokens_used, input_tokens, output_tokens, cost, model, duration_ms, created_at)
values ('bench-conv-1', 'm-' || :n || '-' || random(), 'claude-1', 'claude', 'Architect', '$CONTENT', 1, 1, 412, 301, 111,
  0.00213, 'claude-sonnet-4', 5234, now());
SQL

THREADS=$((CONCURRENCY < 2 ? 1 : 2))
# The JIT needs a while: measured cold, the ingest figure is less than half the warm one.
echo "warm-up (${WARMUP} s)..." >&2
RUN=warmup wrk -t"$THREADS" -c"$CONCURRENCY" -d"${WARMUP}s" -s "$WORK/ingest.lua" "http://127.0.0.1:$PORT" >/dev/null
psql -q -d "$DB" -c "truncate conversations, conversation_agents, messages, events restart identity cascade" >/dev/null

echo "pgbench single-row INSERT (${DURATION} s, $CONCURRENCY clients)..." >&2
pgbench -n -c "$CONCURRENCY" -j "$THREADS" -T "$DURATION" -f "$WORK/insert.sql" "$DB" >"$WORK/pgbench.txt" 2>&1 \
    || { cat "$WORK/pgbench.txt" >&2; exit 1; }
PG_TPS=$(sed -n -E 's/^tps = ([0-9.]+).*/\1/p' "$WORK/pgbench.txt" | head -n 1)
PG_LAT=$(sed -n -E 's/^latency average = ([0-9.]+) ms/\1/p' "$WORK/pgbench.txt")

echo "agentstream ingest (${DURATION} s, $CONCURRENCY connections)..." >&2
RUN=measure wrk -t"$THREADS" -c"$CONCURRENCY" -d"${DURATION}s" --timeout 10s -s "$WORK/ingest.lua" \
    "http://127.0.0.1:$PORT" >"$WORK/wrk.txt" 2>&1
RESULT=$(grep '^RESULT' "$WORK/wrk.txt")
field() { sed -n -E "s/.* $1=([0-9.]+).*/\1/p" <<<"$RESULT"; }
RPS=$(field rps); P50=$(field p50_ms); P99=$(field p99_ms); ERRORS=$(field non201); REQUESTS=$(field requests)
STORED=$(psql -qtA -d "$DB" -c "select count(*) from messages")
EVENTS=$(psql -qtA -d "$DB" -c "select count(*) from events")
TOTALS_OK=$(psql -qtA -d "$DB" -c "select bool_and(message_count = (select count(*) from messages m where m.conversation_id = c.id)) from conversations c")

cat <<TABLE
## Ingest vs. PostgreSQL single-row INSERT — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, app + PostgreSQL + load generator on one machine

Parameters: CONCURRENCY=$CONCURRENCY DURATION=${DURATION}s WARMUP=${WARMUP}s CONVERSATIONS=$CONVERSATIONS, message content ${#CONTENT} characters, heap 512 MB.

| figure | measured |
|---|---|
| pgbench single-row INSERT | $PG_TPS tps (latency avg $PG_LAT ms) |
| ingest \`message.created\` (201 responses) | $RPS req/s |
| ratio ingest / pgbench | $(awk -v a="$RPS" -v b="$PG_TPS" 'BEGIN { printf "%.2f", a / b }') |
| ingest latency p50 / p99 | $P50 ms / $P99 ms |
| non-201 responses | $ERRORS of $REQUESTS |
| messages stored / events stored | $STORED / $EVENTS |
| conversation totals equal stored messages | $TOTALS_OK |
TABLE
if grep -qE ' ERROR |Exception' "$WORK/app.log"; then
    echo; echo "The application logged errors (first lines):"; grep -E ' ERROR |Exception' "$WORK/app.log" | head -n 5
fi
