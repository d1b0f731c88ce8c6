// Stream benchmark driver (run by load-test/stream-bench.sh).
//
//   node bench.mjs latency <base url> <key> <subscribers> <events per second> <seconds>
//     Opens <subscribers> EventSource streams, then ingests message.created events at the
//     given rate and measures, for every (subscriber, event) pair, the time from the ingest
//     acknowledgement (the 201) to the event's arrival at the subscriber. Prints one JSON line.
//
//   node bench.mjs idle <base url> <key> <streams>
//     Opens <streams> EventSource streams, prints "ready <n>", and holds them until stdin closes.
import { EventSource } from 'eventsource';

const [mode, base, key, ...rest] = process.argv.slice(2);
const auth = { Authorization: `Bearer ${key}` };
const withKey = (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...auth } });

function open(count, onEvent) {
  return new Promise((resolve, reject) => {
    const sources = [];
    let opened = 0;
    for (let i = 0; i < count; i++) {
      const source = new EventSource(`${base}/api/realtime/stream`, { fetch: withKey });
      source.onopen = () => { if (++opened === count) resolve(sources); };
      source.onerror = (error) => { if (opened < count) reject(new Error(`stream ${i}: ${error.message ?? error.code}`)); };
      if (onEvent) source.onmessage = (message) => onEvent(i, message);
      sources.push(source);
    }
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(subscribers, rate, seconds) {
  const acked = new Map();       // event id -> ack time (ms, monotonic)
  const sentAt = new Map();      // event id -> time the request was sent
  const arrivals = [];           // [event id, arrival time]
  const sources = await open(subscribers, (_, message) => {
    const now = performance.now();
    if (message.lastEventId) arrivals.push([Number(message.lastEventId), now]);
  });
  const total = rate * seconds;
  const interval = 1000 / rate;
  const started = performance.now();
  let sent = 0;
  let failed = 0;
  const inFlight = [];
  while (sent < total) {
    const due = started + sent * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const n = sent++;
    const requestStarted = performance.now();
    inFlight.push(fetch(`${base}/api/ingest`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'message.created', timestamp: new Date().toISOString(),
        data: { conversation_id: `bench-stream-${n % 20}`, message_id: `bench-${process.pid}-${n}`, agent_id: 'claude-1',
          agent_type: 'claude', agent_name: 'Architect', content: 'x'.repeat(400), sequence_number: n,
          tokens_used: 412, cost: 0.00213, model: 'claude-sonnet-4' },
      }),
    }).then(async (response) => {
      const now = performance.now();
      const body = await response.json();
      if (response.status !== 201) { failed++; return; }
      acked.set(body.event_id, now);
      sentAt.set(body.event_id, requestStarted);
    }).catch(() => { failed++; }));
  }
  await Promise.all(inFlight);
  const ingestSeconds = (performance.now() - started) / 1000;
  // Let the last events arrive everywhere.
  const expected = acked.size * subscribers;
  const deadline = performance.now() + 10000;
  while (arrivals.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  sources.forEach((s) => s.close());
  const latencies = [];
  const fromSend = [];
  const deliveredTo = new Map();
  let early = 0;
  for (const [id, at] of arrivals) {
    const ack = acked.get(id);
    if (ack === undefined) continue;
    deliveredTo.set(id, (deliveredTo.get(id) ?? 0) + 1);
    const ms = at - ack;
    if (ms < 0) early++;
    latencies.push(Math.max(0, ms));
    fromSend.push(at - sentAt.get(id));
  }
  latencies.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const missing = [...acked.keys()].filter((id) => (deliveredTo.get(id) ?? 0) < subscribers);
  console.log(JSON.stringify({
    subscribers, rate_target: rate, events_acked: acked.size, ingest_failed: failed,
    achieved_rate: +(acked.size / ingestSeconds).toFixed(1),
    deliveries_expected: expected, deliveries: latencies.length, arrived_before_ack: early,
    p50_ms: +percentile(latencies, 50).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2),
    max_ms: +latencies[latencies.length - 1].toFixed(2),
    send_p50_ms: +percentile(fromSend, 50).toFixed(2), send_p99_ms: +percentile(fromSend, 99).toFixed(2),
    events_not_delivered_to_all: missing.length, first_missing: missing.slice(0, 5),
  }));
  process.exit(0);
}

async function idle(count) {
  const sources = await open(count);
  console.log(`ready ${sources.length}`);
  process.stdin.resume();
  process.stdin.on('end', () => { sources.forEach((s) => s.close()); process.exit(0); });
}

if (mode === 'latency') await latency(Number(rest[0]), Number(rest[1]), Number(rest[2]));
else if (mode === 'idle') await idle(Number(rest[0]));
else { console.error('usage: bench.mjs latency|idle ...'); process.exit(2); }
