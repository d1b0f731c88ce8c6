// Splits an async-profiler CPU profile (collapsed stacks, recorded with the `threads` option)
// into the stages of an ingest request, and prints each stage's share and its CPU time per
// request. Every sample lands in exactly one stage, so the rows add up to the whole process:
// JVM threads (GC, JIT) included.
//
//   node load-test/profile/stages.mjs profile.collapsed PER_REQUEST [LABEL] [UNIT]
// PER_REQUEST is the profile's whole per request, in UNIT (default µs; KB for an allocation
// profile), split over the stages by their shares; empty to print shares only.
//
// How a sample is placed, first rule that applies:
//   1. the thread: GC, JIT compiler and other JVM-internal threads are their own stages;
//   2. a marker anywhere on the stack, in this order (these run inside other stages' frames:
//      Reactor runs the whole request inside the filters' subscribe, so "anywhere" must go
//      from the most specific to the least);
//   3. the innermost wrapping stage (filters, routing, driver), nearest the sampled frame.
// Frames of the JDK itself (java., jdk., sun.) count towards the first non-JDK frame below
// them on the stack, which is the code that asked for the work.
import { readFileSync } from 'node:fs';

const [file, cpuPerRequest, label, unit = 'µs'] = process.argv.slice(2);
if (!file) {
  console.error('usage: stages.mjs profile.collapsed [cpu_us_per_request] [label]');
  process.exit(2);
}

const threadStages = [
  [/^\[(GC Thread|G1 |Parallel GC|GC |VM Periodic|Serial)/, 'JVM: garbage collection'],
  [/^\[(C1 CompilerThre|C2 CompilerThre|C1 CompilerThread|C2 CompilerThread)/, 'JVM: JIT compiler'],
];
const jvmThread = /^\[(VM Thread|Service Thread|Monitor Deflation|Common-Cleaner|Notification Thread|Signal Dispatcher|Finalizer|Reference Handler|Attach Listener|JFR|Sweeper|C1|C2|G1|GC)/;

// Stages found anywhere on the stack, most specific first.
const markers = [
  [/io\.agentstream\.stream\.EventTailer|io\.agentstream\.stream\.StreamHub/, 'tailer re-read and fan-out'],
  [/^ch\.qos\.logback|^org\.slf4j|io\.agentstream\.problem\.SecretScrubber/, 'logging (access log)'],
  [/^io\.micrometer\.(core|prometheusmetrics|observation)|io\.agentstream\.ingest\.IngestMetrics/, 'metrics and observations'],
  [/^org\.hibernate\.validator|^jakarta\.validation/, 'validation'],
  [/io\.agentstream\.ingest\.EventParser|io\.agentstream\.event\.IngestJson/, 'parse'],
  [/^org\.springframework\.http\.codec|ResponseEntityResultHandler|AbstractMessageWriterResultHandler|io\.agentstream\.ingest\.IngestResponses/, 'response encoding'],
  [/^org\.springframework\.security\.web\.server\.header|io\.agentstream\.auth\.(TlsAwareHsts|DashboardHeaders)/, 'filters: security headers'],
];

// Generic plumbing, when it is the sampled code itself.
const leafStages = [
  [/^io\.micrometer\.context|ContextPropagation|^reactor\.core\.publisher\.(ContextPropagation|MonoContextWrite|FluxContextWrite)/, 'Reactor context propagation'],
  [/^reactor\.core/, 'Reactor operators'],
  [/^io\.netty|^reactor\.netty/, 'Netty: HTTP codec and socket I/O (clients and database)'],
];

// Wrapping stages: the innermost one on the stack wins.
const wrappers = [
  [/^io\.r2dbc\.proxy|^io\.r2dbc\.spi\.observation|r2dbc.*Observation/, 'R2DBC observation (proxy)'],
  [/^io\.r2dbc|^org\.springframework\.r2dbc|^org\.springframework\.transaction|io\.agentstream\.database/, 'database driver: SQL binding, protocol, commit'],
  [/io\.agentstream\.ingest\.(EventBatchWriter|MessageRows|ConversationEffects)/, 'SQL binding (our batch writer)'],
  [/io\.agentstream\.ingest\.GroupCommitWriter/, 'group-commit queue'],
  [/io\.agentstream\.http\.BoundedBody|DataBufferUtils/, 'body read'],
  [/io\.agentstream\.ratelimit|^io\.github\.bucket4j/, 'filters: rate limit'],
  [/io\.agentstream\.auth\.(ApiKey|KeyAuth|StreamTokens|PresentedCredentials)/, 'filters: key check'],
  [/io\.agentstream\.auth|^org\.springframework\.security/, 'filters: Spring Security chain'],
  [/io\.agentstream\.observability|io\.agentstream\.problem\.RequestIds/, 'filters: request id and access log'],
  [/io\.agentstream\.ingest\.IngestController/, 'ingest controller'],
  [/^org\.springframework\.web|^org\.springframework\.http|^org\.springframework\.boot\.web/, 'routing and handler invocation'],
];

// Threads whose own stack says nothing more (a pool waiting for or handing out work).
const poolThreads = [
  [/^\[parallel-/, 'timeouts (Reactor parallel scheduler)'],
  [/^\[stream-fanout/, 'tailer re-read and fan-out'],
  [/^\[ForkJoinPool/, 'ForkJoin common pool (caches)'],
  [/^\[reactor-(http|tcp)-/, 'Netty: HTTP codec and socket I/O (clients and database)'],
];

const isJdk = (frame) => /^(java\.|jdk\.|sun\.|javax\.)/.test(frame);
const match = (table, frame) => table.find(([pattern]) => pattern.test(frame))?.[1];

function classify(frames) {
  // frames[0] is the thread (with `threads`), then root ... leaf.
  const thread = frames[0];
  for (const [pattern, stage] of threadStages) if (pattern.test(thread)) return stage;
  // Java frames name a class with slashes (io/netty/...); native frames do not, or are a
  // library's path (/tmp/libnetty...), and kernel frames end in _[k].
  const isJava = (f) => f.includes('/') && !f.startsWith('/') && !f.startsWith('[') && !f.endsWith('_[k]');
  const stack = frames.slice(1)
    .map((f) => (isJava(f) ? f.replaceAll('/', '.').replace(/_\[[a-z0-9]\]$/, '') : `native:${f}`));
  for (const [pattern, stage] of markers) if (stack.some((f) => pattern.test(f))) return stage;
  const javaFrames = stack.filter((f) => !f.startsWith('native:'));
  if (javaFrames.length === 0) {
    return jvmThread.test(thread) ? 'JVM: other threads' : 'native (kernel, libc, JVM runtime)';
  }
  const leaf = [...javaFrames].reverse().find((f) => !isJdk(f));
  if (leaf) {
    const plumbing = match(leafStages, leaf);
    if (plumbing) return plumbing;
  }
  for (const frame of [...javaFrames].reverse()) {
    const stage = match(wrappers, frame);
    if (stage) return stage;
  }
  if (jvmThread.test(thread)) return 'JVM: other threads';
  const pool = match(poolThreads, thread);
  if (pool) return pool;
  return `other (${(leaf ?? javaFrames.at(-1)).split('.').slice(0, 2).join('.')})`;
}

const totals = new Map();
let total = 0;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const space = line.lastIndexOf(' ');
  if (space < 0) continue;
  const count = Number(line.slice(space + 1));
  if (!Number.isFinite(count)) continue;
  const stage = classify(line.slice(0, space).split(';'));
  totals.set(stage, (totals.get(stage) ?? 0) + count);
  total += count;
}

const perRequest = Number(cpuPerRequest);
console.log(`\n${label ?? 'CPU by stage'}${perRequest ? `: ${perRequest.toFixed(0)} ${unit} per request` : ''}\n`);
console.log(`| stage | share | ${perRequest ? `${unit} per request |` : ''}`);
console.log(`|---|---|${perRequest ? '---|' : ''}`);
for (const [stage, n] of [...totals].sort((a, b) => b[1] - a[1])) {
  const share = n / total;
  console.log(`| ${stage} | ${(100 * share).toFixed(1)}% |${perRequest ? ` ${(share * perRequest).toFixed(0)} |` : ''}`);
}
