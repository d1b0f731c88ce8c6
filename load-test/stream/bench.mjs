// Stream benchmark driver (run by load-test/stream-bench.sh).
//
//   node bench.mjs latency <base url> <key> <subscribers> <events per second> <seconds>
//     Opens <subscribers> EventSource streams, then ingests message.created events at the
//     given rate and measures, for every (subscriber, event) pair, the time from the ingest
//     acknowledgement (the 201) to the event's arrival at the subscriber. Prints one JSON line.
//
// The modes below read the stream with a minimal SSE reader over node:http (frames split on
// blank lines, ids taken from `id:` lines) instead of EventSource, so that thousands of
// streams and 100,000 events per second cost the load generator little of the machine it
// shares with the service. The EventSource mode above keeps checking what browsers parse.
//
//   node bench.mjs fanout <base url> <key> <subscribers> <events per second> <seconds>
//     As latency, with the minimal reader. Prints one JSON line.
//
//   node bench.mjs burst <base url> <key> <subscribers> <events>
//     Opens <subscribers> streams, stores <events> events in batches of 1,000 as fast as the
//     service takes them, and prints one JSON line: seconds from the first batch sent to the
//     last event received everywhere, so the stream's fan-out cost shows without ingest's
//     per-request cost in the way.
//
//   node bench.mjs hold <base url> <key> <streams> <connects in flight>
//     Opens <streams> streams (at most <connects in flight> connecting at once), prints
//     "ready <n>", then answers every stdin line with a JSON line of counts (open streams,
//     events received, streams that ended or failed); closes them all when stdin closes.
//
//   node bench.mjs resume <base url> <key> <last event id> <events> [query]
//     Connects with Last-Event-ID and prints one JSON line: seconds from sending the request
//     to the connected event and to the <events>th event.
//
//   node bench.mjs ingest <base url> <key> <conversation> <events>
//     Stores <events> message.created events in batches of 1,000 and prints one JSON line
//     with the lowest and highest offset.
import http from 'node:http';
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

const plainAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/**
 * One stream read with the minimal reader. Resolves at the first complete frame (the
 * connected event); calls onEvent(id, now) for every frame with an id, and onEnd when the
 * stream ends or fails after that.
 */
function rawStream(path, headers, onEvent, onEnd) {
  return new Promise((resolve, reject) => {
    let connected = false;
    const request = http.get(`${base}${path}`, {
      agent: plainAgent, headers: { ...auth, Accept: 'text/event-stream', ...headers },
    }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`status ${response.statusCode}`));
        return;
      }
      response.setEncoding('latin1');
      let rest = '';
      response.on('data', (chunk) => {
        const now = performance.now();
        const text = rest.length === 0 ? chunk : rest + chunk;
        let start = 0;
        for (let end = text.indexOf('\n\n', start); end >= 0; end = text.indexOf('\n\n', start)) {
          if (text.startsWith('id:', start)) {
            onEvent?.(Number(text.slice(start + 3, text.indexOf('\n', start))), now);
          }
          if (!connected) { connected = true; resolve(request); }
          start = end + 2;
        }
        rest = start === 0 ? text : text.slice(start);
      });
      response.on('end', () => { if (connected) onEnd?.('end'); else reject(new Error('ended before connected')); });
      response.on('error', (error) => { if (connected) onEnd?.(error.code ?? 'error'); });
    });
    request.on('error', (error) => { if (connected) onEnd?.(error.code ?? 'error'); else reject(error); });
  });
}

/** Opens count streams, at most inFlight connecting at once; resolves with their requests. */
async function openRaw(count, inFlight, onEvent, onEnd) {
  const requests = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      requests[i] = await rawStream('/api/realtime/stream', {}, (id, now) => onEvent?.(i, id, now), onEnd);
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return requests;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(subscribers, rate, seconds, raw) {
  const acked = new Map();       // event id -> ack time (ms, monotonic)
  const sentAt = new Map();      // event id -> time the request was sent
  const total = rate * seconds;
  // Arrivals as two typed arrays: a million [id, time] pairs as JS arrays would cost the
  // client more memory and collection than the server under test. Beyond capacity, dropped.
  const capacity = subscribers * total + subscribers * 64;
  const arrivalIds = new Float64Array(capacity);
  const arrivalTimes = new Float64Array(capacity);
  let arrivalCount = 0;
  const arrived = (id, now) => {
    if (arrivalCount < capacity) { arrivalIds[arrivalCount] = id; arrivalTimes[arrivalCount++] = now; }
  };
  const sources = raw
    ? await openRaw(subscribers, 100, (_, id, now) => arrived(id, now))
    : await open(subscribers, (_, message) => {
      const now = performance.now();
      if (message.lastEventId) arrived(Number(message.lastEventId), now);
    });
  const interval = 1000 / rate;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpuBefore);
  const clientCpuPct = +((cpu.user + cpu.system) / 10 / (performance.now() - started)).toFixed(1);
  // Let the last events arrive everywhere.
  const expected = acked.size * subscribers;
  const deadline = performance.now() + 10000;
  while (arrivalCount < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  sources.forEach((s) => (raw ? s.destroy() : s.close()));
  const latencies = [];
  const fromSend = [];
  const deliveredTo = new Map();
  let early = 0;
  for (let i = 0; i < arrivalCount; i++) {
    const id = arrivalIds[i];
    const at = arrivalTimes[i];
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
    client_cpu_pct: clientCpuPct, events_not_delivered_to_all: missing.length, first_missing: missing.slice(0, 5),
  }));
  process.exit(0);
}

async function hold(count, inFlight) {
  let events = 0;
  const ended = new Map();
  const requests = await openRaw(count, inFlight, () => { events++; }, (why) => ended.set(why, (ended.get(why) ?? 0) + 1));
  console.log(`ready ${requests.length}`);
  const endedCount = () => [...ended.values()].reduce((a, b) => a + b, 0);
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      pending = pending.slice(nl + 1);
      console.log(JSON.stringify({ streams: count, open: count - endedCount(), events, ended: Object.fromEntries(ended) }));
    }
  });
  process.stdin.on('end', () => { requests.forEach((r) => r.destroy()); process.exit(0); });
}

async function resume(after, expected, query) {
  const started = performance.now();
  let connectedAt = null;
  let received = 0;
  let lastId = -1;
  let ordered = true;
  let doneAt = null;
  const path = `/api/realtime/stream${query ? `?${query}` : ''}`;
  const request = await new Promise((resolve, reject) => {
    let finish;
    const done = new Promise((r) => { finish = r; });
    rawStream(path, { 'Last-Event-ID': String(after) }, (id, now) => {
      if (id <= lastId) ordered = false;
      lastId = id;
      if (++received === expected) { doneAt = now; finish(); }
    }).then((opened) => {
      connectedAt = performance.now();
      const timer = setTimeout(() => reject(new Error(`only ${received} of ${expected} events within 60 s`)), 60000);
      done.then(() => { clearTimeout(timer); resolve(opened); });
    }, reject);
  });
  request.destroy();
  console.log(JSON.stringify({
    events: received, ordered, last_id: lastId,
    connected_seconds: +((connectedAt - started) / 1000).toFixed(4),
    seconds: +((doneAt - started) / 1000).toFixed(4),
  }));
  process.exit(0);
}

async function store(conversation, count) {
  let low = Infinity;
  let high = -Infinity;
  let stored = 0;
  for (let from = 0; from < count; from += 1000) {
    const batch = [];
    for (let n = from; n < Math.min(count, from + 1000); n++) {
      batch.push({
        type: 'message.created', timestamp: new Date().toISOString(),
        data: { conversation_id: conversation, message_id: `${conversation}-${n}`, agent_id: 'claude-1',
          agent_type: 'claude', agent_name: 'Architect', content: 'x'.repeat(400), sequence_number: n,
          tokens_used: 412, cost: 0.00213, model: 'claude-sonnet-4' },
      });
    }
    const response = await fetch(`${base}/api/ingest`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(batch),
    });
    if (response.status !== 200) throw new Error(`batch: status ${response.status}: ${await response.text()}`);
    for (const result of (await response.json()).results) {
      const id = result.event_id ?? result.body?.event_id;
      if (result.status >= 300 || id === undefined) throw new Error(`batch: ${JSON.stringify(result)}`);
      low = Math.min(low, id);
      high = Math.max(high, id);
      stored++;
    }
  }
  return { conversation, stored, first_id: low, last_id: high };
}

async function ingest(conversation, count) {
  console.log(JSON.stringify(await store(conversation, count)));
}

async function burst(subscribers, events) {
  let received = 0;
  const expected = subscribers * events;
  let lastAt = 0;
  let done;
  const all = new Promise((resolve) => { done = resolve; });
  const requests = await openRaw(subscribers, 100, (_, id, now) => {
    lastAt = now;
    if (++received === expected) done();
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const stored = await store(`burst-${process.pid}`, events);
  const storedAt = performance.now();
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 60000))]);
  const cpu = process.cpuUsage(cpuBefore);
  requests.forEach((r) => r.destroy());
  console.log(JSON.stringify({
    subscribers, events: stored.stored, deliveries: received, expected,
    store_seconds: +((storedAt - started) / 1000).toFixed(3),
    seconds: +((lastAt - started) / 1000).toFixed(3),
    deliveries_per_second: Math.round(received / ((lastAt - started) / 1000)),
    client_cpu_pct: +((cpu.user + cpu.system) / 10 / (performance.now() - started)).toFixed(1),
  }));
  process.exit(0);
}

if (mode === 'latency') await latency(Number(rest[0]), Number(rest[1]), Number(rest[2]), false);
else if (mode === 'fanout') await latency(Number(rest[0]), Number(rest[1]), Number(rest[2]), true);
else if (mode === 'hold') await hold(Number(rest[0]), Number(rest[1]));
else if (mode === 'resume') await resume(Number(rest[0]), Number(rest[1]), rest[2]);
else if (mode === 'ingest') await ingest(rest[0], Number(rest[1]));
else if (mode === 'burst') await burst(Number(rest[0]), Number(rest[1]));
else { console.error('usage: bench.mjs latency|fanout|burst|hold|resume|ingest ...'); process.exit(2); }
