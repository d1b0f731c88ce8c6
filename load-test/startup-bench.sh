#!/usr/bin/env bash
# Start-up and cold start, three ways of launching the same build, side by side:
#   jar        java -jar agentstream.jar (the fat jar, as the README runs it);
#   extracted  the jar extracted (java -Djarmode=tools -jar agentstream.jar extract): plain jars
#              on the class path, which the JVM opens and verifies faster;
#   aot        extracted, with a JDK AOT cache (-XX:AOTCache, JDK 25+) trained on this machine by
#              a run under ingest load: classes loaded and linked ahead of time, and the training
#              run's method profiles, so the JIT compiles the hot paths sooner.
# For each, RUNS times in turn: JVM launch to /api/health 200, then ingest for the first 15 s
# of load (16 connections, one message.created per request), as a fraction of the warm rate
# (the last 15 s of the 60 s training run). Prints a table.
#
#   load-test/startup-bench.sh              # RUNS=3
#   JAR=/tmp/other.jar RUNS=5 load-test/startup-bench.sh
#
# Needs what bench.sh needs (a JDK >= 25 for the aot rows; older JDKs get jar and extracted only).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
PORT=${PORT:-18183}
CONCURRENCY=16
COLD_SECONDS=15
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || { echo "RUNS must be a positive whole number" >&2; exit 2; }

# shellcheck source=lib.sh
. load-test/lib.sh
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
JAVA_HOME=$(find_java)
export JAVA_HOME
if [ -n "${JAR:-}" ]; then cp "$JAR" "$WORK/agentstream.jar"; else prepare_jar; fi
"$JAVA_HOME/bin/java" -Djarmode=tools -jar "$WORK/agentstream.jar" extract --destination "$WORK/extracted" >/dev/null
EXTRACTED=$WORK/extracted/$(cd "$WORK/extracted" && ls ./*.jar | head -n 1 | sed 's|^\./||')
VARIANTS="jar extracted"
[ "$(java_major "$JAVA_HOME")" -ge 25 ] && VARIANTS="$VARIANTS aot"

create_database
write_ingest_lua "$WORK/ingest.lua"
ingest() { # $1 = label, $2 = seconds: prints requests per second
    RUN=$1 wrk -t2 -c"$CONCURRENCY" -d"$2s" --timeout 10s -s "$WORK/ingest.lua" "http://127.0.0.1:$PORT" \
        | sed -n -E 's/^RESULT .* rps=([0-9.]+).*/\1/p'
}
launch() { # $1 = variant
    case $1 in
        jar) APP_JAR=$WORK/agentstream.jar APP_JAVA_OPTS="" start_app ;;
        extracted) APP_JAR=$EXTRACTED APP_JAVA_OPTS="" start_app ;;
        aot) APP_JAR=$EXTRACTED APP_JAVA_OPTS="-XX:AOTCache=$WORK/app.aot" start_app ;;
    esac
}

# Training: the schema is migrated here too, so no timed start below pays for it.
log "training run: 60 s of ingest load, then the AOT cache is written at exit"
if [[ $VARIANTS == *aot* ]]; then
    APP_JAR=$EXTRACTED APP_JAVA_OPTS="-XX:AOTCacheOutput=$WORK/app.aot" start_app
else
    APP_JAR=$EXTRACTED start_app
fi
ingest training-cold 45 >/dev/null
WARM_RPS=$(ingest training-warm 15)
stop_app
if [[ $VARIANTS == *aot* ]]; then
    [ -s "$WORK/app.aot" ] || { tail -n 20 "$WORK/app.log" >&2; echo "the training run wrote no AOT cache" >&2; exit 1; }
fi

declare -A HEALTHY COLD
for run in $(seq 1 "$RUNS"); do
    for variant in $VARIANTS; do
        log "run $run: $variant"
        launch "$variant"
        HEALTHY[$variant]+="$APP_HEALTHY_MS "
        COLD[$variant]+="$(ingest "cold-$variant-$run" "$COLD_SECONDS") "
        stop_app
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo
echo "## Start-up and cold start ($(date -u +%Y-%m-%d), $(nproc) cores, Java $(java_major "$JAVA_HOME"), -Xmx512m; warm rate $WARM_RPS req/s)"
echo
echo "| launch | start to healthy, ms (median; each run) | ingest req/s in the first ${COLD_SECONDS} s of load (median; each run) | fraction of warm |"
echo "|---|---|---|---|"
for variant in $VARIANTS; do
    h=$(median <<<"${HEALTHY[$variant]}"); c=$(median <<<"${COLD[$variant]}")
    echo "| $variant | **$h** (${HEALTHY[$variant]% }) | **$c** (${COLD[$variant]% }) | $(awk -v c="$c" -v w="$WARM_RPS" 'BEGIN { printf "%.2f", c / w }') |"
done
[[ $VARIANTS == *aot* ]] && echo && echo "AOT cache: $(( $(stat -c %s "$WORK/app.aot") / 1048576 )) MB, trained by 60 s of ingest load."
echo
echo "Raw output and app logs: $WORK"
