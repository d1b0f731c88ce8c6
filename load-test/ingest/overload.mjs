// Overload, open model: a baseline at a low rate, then twice the measured capacity, then the
// low rate again. Every answer is classified (201, 503 with Retry-After, 503 without, 5xx other,
// other, no answer within the client's timeout), each acknowledged message id is written to a
// file so the caller can check it was stored exactly once, and recovery is the time from the
// end of the overload to the first whole second whose p99 is back within twice the baseline's.
//
//   node load-test/ingest/overload.mjs <baseUrl> <apiKey> <capacityPerSecond> <overloadSeconds> <ackedIdsFile>
//
// Prints: RESULT overload_rate=... sent=... ok=... refused_503=... refused_503_without_retry_after=...
//         server_errors=... other=... hung=... max_refusal_ms=... baseline_p99_ms=... recovery_s=... after_p99_ms=...
import fs from 'node:fs';
import http from 'node:http';

const [baseUrl, key, capacityArg, secondsArg, ackedFile] = process.argv.slice(2);
if (!baseUrl || !key || !capacityArg || !secondsArg || !ackedFile) {
  console.error('usage: overload.mjs <baseUrl> <apiKey> <capacityPerSecond> <overloadSeconds> <ackedIdsFile>');
  process.exit(2);
}
const capacity = Number(capacityArg);
const overloadSeconds = Number(secondsArg);
const lowRate = Math.max(5, Math.round(capacity / 10));
const phases = [
  { name: 'baseline', rate: lowRate, seconds: 10 },
  { name: 'overload', rate: 2 * capacity, seconds: overloadSeconds },
  { name: 'after', rate: lowRate, seconds: 20 },
];
// A request unanswered after the write timeout (8 s) plus a margin is hung.
const HUNG_MS = 12_000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const url = new URL('/api/ingest', baseUrl);
const run = `overload-${process.pid}-${Date.now()}`;
const content = 'Start with a token bucket per API key, stored in Redis so every instance shares it. '.repeat(6);
const counts = { sent: 0, ok: 0, refused: 0, refusedWithoutRetryAfter: 0, serverErrors: 0, other: 0, hung: 0 };
const acked = [];
const samples = { baseline: [], after: [] }; // [secondSinceAfterStart, latency]
let maxRefusalMs = 0;
let pending = 0;
let afterStart = 0;

function send(i, due, phase) {
  counts.sent++;
  pending++;
  const messageId = `${run}-${i}`;
  const body = JSON.stringify({
    type: 'message.created', timestamp: '2026-11-20T10:15:07.654321Z',
    data: { conversation_id: `${run}-conv-${i % 50}`, message_id: messageId, agent_type: 'claude', content,
      sequence_number: i, tokens_used: 412, cost: 0.00213, model: 'claude-sonnet-4' },
  });
  const request = http.request(url, {
    method: 'POST', agent, timeout: HUNG_MS,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}`, 'Content-Length': Buffer.byteLength(body) },
  }, (response) => {
    response.resume();
    response.on('end', () => {
      const latency = performance.now() - due;
      if (response.statusCode === 201) {
        counts.ok++;
        acked.push(messageId);
        if (phase === 'baseline') samples.baseline.push([0, latency]);
        if (phase === 'after') samples.after.push([Math.floor((due - afterStart) / 1000), latency]);
      } else if (response.statusCode === 503) {
        counts.refused++;
        maxRefusalMs = Math.max(maxRefusalMs, latency);
        if (!response.headers['retry-after']) counts.refusedWithoutRetryAfter++;
      } else if (response.statusCode >= 500) {
        counts.serverErrors++;
      } else {
        counts.other++;
      }
      pending--;
    });
  });
  request.on('timeout', () => request.destroy(new Error('hung')));
  request.on('error', (error) => { if (error.message === 'hung') counts.hung++; else counts.other++; pending--; });
  request.end(body);
}

function p99(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

let i = 0;
for (const phase of phases) {
  const start = performance.now();
  if (phase.name === 'after') afterStart = start;
  const total = Math.round(phase.rate * phase.seconds);
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / phase.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    send(i++, due, phase.name);
  }
}
while (pending > 0) await new Promise((resolve) => setTimeout(resolve, 100));
fs.writeFileSync(ackedFile, acked.join('\n') + '\n');

const baselineP99 = p99(samples.baseline.map(([, latency]) => latency));
let recovery = 'never';
for (let second = 0; second < 20; second++) {
  const window = samples.after.filter(([s]) => s === second).map(([, latency]) => latency);
  if (window.length > 0 && p99(window) <= 2 * Math.max(baselineP99, 10)) { recovery = second; break; }
}
const fmt = (value) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
console.log(`RESULT overload_rate=${2 * capacity} sent=${counts.sent} ok=${counts.ok} refused_503=${counts.refused} `
  + `refused_503_without_retry_after=${counts.refusedWithoutRetryAfter} server_errors=${counts.serverErrors} `
  + `other=${counts.other} hung=${counts.hung} max_refusal_ms=${fmt(maxRefusalMs)} baseline_p99_ms=${fmt(baselineP99)} `
  + `recovery_s=${recovery} after_p99_ms=${fmt(p99(samples.after.map(([, latency]) => latency)))}`);
