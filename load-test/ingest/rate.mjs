// Open-model ingest load: message.created at a fixed rate, whatever the responses do, with
// each latency measured from the moment the request was due (not when it was sent), so a
// stalled server shows in the figures instead of slowing the load (no coordinated omission).
//
//   node load-test/ingest/rate.mjs <baseUrl> <apiKey> <ratePerSecond> <seconds> [conversations]
//
// Prints one line: RESULT ingest_rate=... sent=... ok=... errors=... p50_ms=... p99_ms=... max_ms=...
import http from 'node:http';

const [baseUrl, key, rateArg, secondsArg, conversationsArg] = process.argv.slice(2);
if (!baseUrl || !key || !rateArg || !secondsArg) {
  console.error('usage: rate.mjs <baseUrl> <apiKey> <ratePerSecond> <seconds> [conversations]');
  process.exit(2);
}
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const conversations = Number(conversationsArg ?? 50);
const total = Math.round(rate * seconds);
const url = new URL('/api/ingest', baseUrl);
// Enough sockets that the client never queues at the rate asked for; bounded all the same.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const run = `rate-${process.pid}-${Date.now()}`;
const content = 'Start with a token bucket per API key, stored in Redis so every instance shares it. '.repeat(6);

const latencies = [];
let ok = 0;
let errors = 0;
let done = 0;

function send(i, due) {
  const body = JSON.stringify({
    type: 'message.created',
    timestamp: '2026-11-20T10:15:07.654321Z',
    data: {
      conversation_id: `rate-conv-${i % conversations}`, message_id: `${run}-${i}`, agent_id: 'claude-1',
      agent_type: 'claude', agent_name: 'Architect', content, sequence_number: i, turn_number: 1,
      tokens_used: 412, input_tokens: 301, output_tokens: 111, cost: 0.00213, model: 'claude-sonnet-4',
      duration_ms: 5234,
    },
  });
  const request = http.request(url, {
    method: 'POST', agent, timeout: 10_000,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}`, 'Content-Length': Buffer.byteLength(body) },
  }, (response) => {
    response.resume();
    response.on('end', () => {
      if (response.statusCode === 201) {
        ok++;
        latencies.push(performance.now() - due);
      } else {
        errors++;
      }
      finish();
    });
  });
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', () => { errors++; finish(); });
  request.end(body);
}

function finish() {
  if (++done < total) return;
  latencies.sort((a, b) => a - b);
  const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  const elapsed = (performance.now() - start) / 1000;
  console.log(`RESULT ingest_rate=${rate} seconds=${seconds} sent=${total} ok=${ok} errors=${errors} ` +
    `achieved_per_s=${(total / elapsed).toFixed(1)} p50_ms=${at(0.5).toFixed(2)} p99_ms=${at(0.99).toFixed(2)} ` +
    `max_ms=${(latencies.at(-1) ?? NaN).toFixed(2)}`);
  agent.destroy();
}

const start = performance.now();
let next = 0;
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
  for (; next < due; next++) {
    send(next, start + (next / rate) * 1000);
  }
  if (next >= total) clearInterval(timer);
}, 1);
