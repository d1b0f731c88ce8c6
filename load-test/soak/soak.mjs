// The soak's load generators (run by load-test/soak.sh), two processes so that reading the
// streams never delays the ingest requests whose latency is measured:
//
//   node soak.mjs clis '<options json>'
//     Agent CLIs, each running conversations the way AgentPipe does (bridge.connected,
//     conversation.started, a message per agent and a log.entry per turn, sometimes
//     conversation.error, conversation.completed), at a fixed rate overall (open model: an
//     event is sent when it is due, whatever earlier answers do, and its latency counts from
//     that moment). Each CLI keeps its own keep-alive connection, as the CLI's HTTP client
//     does. A few messages are sent again after their answer, as the CLI's retry would, and
//     must come back as duplicates of the same offset. A session upload every uploadEvery
//     seconds, JSON and the CLI's NDJSON event log in turn. Every acknowledged event is
//     written to ackedFile (offset, type, conversation, message id), every accepted upload
//     to uploadsFile (conversation, messages).
//
//   node soak.mjs streams '<options json>'
//     Dashboards on /api/realtime/stream: `overview` unfiltered streams (the dashboard's
//     overview page), opened before any event exists, and conversation pages, each
//     following one live conversation (found on the first overview stream) from its
//     conversation.started on, resuming from just before that offset, until its
//     conversation.completed arrives, then moving on to another. One stream in
//     every `streams / reconnecting` drops its connection every reconnectEvery seconds
//     (±20%) and resumes after the last event it received, half of them with the
//     Last-Event-ID header and half with last_event_id (the dashboard's way); streams the
//     server ends (lifetime, slow consumer) resume the same way. Every received offset is
//     kept, so that at the end each stream can be checked against the acknowledged events
//     of its filter: every one received exactly once, in order.
//
// Both read commands on stdin, one a line, and answer each with one JSON line on stdout:
//   stats                       figures since the previous stats (ingest latency percentiles,
//                               errors, stream events and reconnects), then totals so far
//   stop                        (clis) stop sending, wait for answers, close the files, answer
//   finish <files...>           (streams) wait until every overview stream has the highest
//                               acknowledged offset in the files (at most 60 s), close, check
// and exit when stdin closes or at options.deadlineMs, whichever comes first.
import fs from 'node:fs';
import http from 'node:http';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';

const [mode, optionsJson] = process.argv.slice(2);
if (!['clis', 'streams'].includes(mode) || !optionsJson) {
  console.error("usage: soak.mjs clis|streams '<options json>'");
  process.exit(2);
}
const options = JSON.parse(optionsJson);
const auth = { Authorization: `Bearer ${options.key}` };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const jitter = (ms) => ms * (0.8 + Math.random() * 0.4);
const between = (low, high) => low + Math.floor(Math.random() * (high - low + 1));

// Bounded in time whatever happens to the script that started it.
setTimeout(() => {
  console.error(`soak ${mode}: deadline passed, exiting`);
  process.exit(3);
}, Math.max(1000, options.deadlineMs - Date.now())).unref();

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (value, digits = 1) => (value === null ? null : +value.toFixed(digits));

function commands(handle) {
  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      const [command, ...args] = line.trim().split(/\s+/);
      if (command) console.log(JSON.stringify(await handle(command, args)));
    }).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  });
  lines.on('close', () => queue.then(() => process.exit(0)));
}

// --- Content --------------------------------------------------------------------------------

const WORDS = ('the token bucket refills at a fixed rate per key and the gateway rejects requests beyond it with 429 '
  + 'so clients back off Redis keeps one counter per key with a TTL we measured p99 latency under load and the '
  + 'numbers look fine edge case retries must stay idempotent consider a sliding window instead trade-off memory '
  + 'versus accuracy').split(' ');
const SNIPPETS = [
  '\n\n```go\nif !limiter.Allow(key) {\n\treturn http.StatusTooManyRequests\n}\n```\n\n',
  '\n- "burst": 20\n- "rate": 5/s\n',
  ' (see C:\\limits\\config.yaml) ',
  '\n\n> Note: the "per key" limit applies before the per-IP one.\n\n',
];

/** Markdown-like agent output of about `bytes` ASCII characters, with quotes, backslashes and newlines. */
function content(bytes) {
  let text = '';
  while (true) {
    const piece = Math.random() < 1 / 12 ? SNIPPETS[between(0, SNIPPETS.length - 1)]
      : (text ? ' ' : '') + WORDS[between(0, WORDS.length - 1)];
    if (text.length + piece.length > bytes) break;
    text += piece;
  }
  return text.padEnd(bytes, '.');
}

const AGENTS = [
  { id: 'claude-1', type: 'claude', name: 'Architect', model: 'claude-sonnet-4', cli: '2.0.14', perToken: 0.000005 },
  { id: 'gemini-1', type: 'gemini', name: 'Reviewer', model: 'gemini-2.5-pro', cli: '0.9.0', perToken: 0.0000025 },
  { id: 'codex-1', type: 'codex', name: 'Implementer', model: 'gpt-5-codex', cli: '0.46.0', perToken: 0.000004 },
];
const SYSTEM_INFO = { agentpipe_version: '0.6.2', os: 'linux', os_version: 'Ubuntu 24.04', go_version: 'go1.24.4', architecture: 'amd64' };
const PROMPT = 'Design a rate limiter for a public API.';
const event = (type, data, at = new Date()) => ({ type, timestamp: at.toISOString(), data });
// Go's RFC 3339 with nanoseconds, as the CLI stamps an event when it sends it.
const timestamp = () => new Date().toISOString().replace('Z', `${String(between(0, 999_999)).padStart(6, '0')}Z`);
const money = (value) => Math.round(value * 1e6) / 1e6;

function started(conversationId, agents, turns) {
  const command = `agentpipe run ${agents.map((a) => `-a ${a.type}:${a.name}`).join(' ')} --mode round-robin --max-turns ${turns}`;
  return event('conversation.started', {
    conversation_id: conversationId, mode: 'round-robin', initial_prompt: PROMPT, max_turns: turns,
    participants: agents.map((a) => ({
      agent_id: a.id, agent_type: a.type, model: a.model, name: a.name, prompt: `You are the team's ${a.name.toLowerCase()}.`,
      cli_version: a.cli,
    })),
    system_info: SYSTEM_INFO,
    command: {
      full_command: command, args: ['run', ...agents.flatMap((a) => ['-a', `${a.type}:${a.name}`])], mode: 'round-robin',
      max_turns: turns, initial_prompt: PROMPT, tui_enabled: false, logging_enabled: true, show_metrics: true,
    },
  });
}

function message(conversationId, agent, sequence, turn, bytes) {
  const text = content(bytes);
  const output = Math.max(1, Math.floor(text.length / 4));
  const input = 300 + sequence * 50;
  return event('message.created', {
    conversation_id: conversationId, message_id: randomUUID(), agent_id: agent.id, agent_type: agent.type,
    agent_name: agent.name, content: text, sequence_number: sequence, turn_number: turn, tokens_used: input + output,
    input_tokens: input, output_tokens: output, cost: money(agent.perToken * (input + output)), model: agent.model,
    duration_ms: 800 + output * 8,
  });
}

/** One conversation's events in the order the CLI sends them. */
function conversation(conversationId, contentBytes) {
  const agents = AGENTS.slice(0, Math.random() < 0.5 ? 2 : 3);
  const turns = between(3, 8);
  const events = [
    event('bridge.connected', { system_info: SYSTEM_INFO, connected_at: new Date().toISOString() }),
    started(conversationId, agents, turns),
  ];
  let sequence = 0;
  let tokens = 0;
  let cost = 0;
  let duration = 0;
  for (let turn = 1; turn <= turns; turn++) {
    let turnTokens = 0;
    let turnCost = 0;
    let turnDuration = 0;
    for (const agent of agents) {
      const m = message(conversationId, agent, ++sequence, turn, between(contentBytes[0], contentBytes[1]));
      turnTokens += m.data.tokens_used;
      turnCost += m.data.cost;
      turnDuration += m.data.duration_ms;
      events.push(m);
    }
    tokens += turnTokens;
    cost += turnCost;
    duration += turnDuration;
    events.push(event('log.entry', {
      conversation_id: conversationId, level: 'system', content: `Turn ${turn} complete`, role: 'system',
      metrics: { duration_seconds: turnDuration / 1000, total_tokens: turnTokens, cost: money(turnCost) },
      metadata: { turn },
    }));
  }
  const ending = Math.random();
  if (ending < 0.05) {
    events.push(event('conversation.error', {
      conversation_id: conversationId, error_message: `agent ${agents[1].type} exited with status 1`,
      error_type: 'agent_failure', agent_type: agents[1].type,
    }));
  }
  events.push(event('conversation.completed', {
    conversation_id: conversationId, status: ending < 0.05 ? 'error' : ending < 0.1 ? 'interrupted' : 'completed',
    total_messages: sequence, total_turns: turns, total_tokens: tokens, total_cost: money(cost),
    duration_seconds: duration / 1000,
    summary: {
      short_text: 'Token bucket in Redis, per key.',
      text: 'The agents agreed on a Redis-backed token bucket per API key with generous ingest limits.',
      agent_type: 'gemini', model: 'gemini-2.5-flash', input_tokens: 90, output_tokens: 28, total_tokens: 118,
      cost: 0.00004, duration_ms: 900,
    },
  }));
  return events;
}

/** A recorded session: the JSON upload (AgentPipe web schema) or the CLI's NDJSON event log. */
function upload(conversationId, messages, contentBytes, ndjson) {
  const agents = AGENTS.slice(0, 2);
  const start = Date.now() - 3600_000;
  if (ndjson) {
    const lines = [started(conversationId, agents, Math.ceil(messages / 2))];
    for (let i = 0; i < messages; i++) {
      const m = message(conversationId, agents[i % 2], i + 1, Math.floor(i / 2) + 1, between(contentBytes[0], contentBytes[1]));
      m.timestamp = new Date(start + i * 3000).toISOString();
      lines.push(m);
    }
    lines.push(event('conversation.completed', { conversation_id: conversationId, status: 'completed', total_messages: messages }));
    return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
  }
  return JSON.stringify({
    conversation: {
      id: conversationId, name: 'Recorded design session', mode: 'round-robin', initial_prompt: PROMPT,
      started_at: new Date(start).toISOString(), completed_at: new Date(start + messages * 3000).toISOString(),
      status: 'COMPLETED', system_info: SYSTEM_INFO,
    },
    agents: agents.map((a) => ({ agent_type: a.type, agent_name: a.name, model: a.model, cli_version: a.cli })),
    messages: Array.from({ length: messages }, (_, i) => {
      const { data } = message(conversationId, agents[i % 2], i + 1, Math.floor(i / 2) + 1, between(contentBytes[0], contentBytes[1]));
      return {
        agent_type: data.agent_type, agent_name: data.agent_name, content: data.content, role: 'agent',
        timestamp: new Date(start + i * 3000).toISOString(), sequence_number: data.sequence_number,
        turn_number: data.turn_number, tokens_used: data.tokens_used, input_tokens: data.input_tokens,
        output_tokens: data.output_tokens, cost: data.cost, model: data.model, duration_ms: data.duration_ms,
      };
    }),
  });
}

// --- CLIs -----------------------------------------------------------------------------------

/** POST with a timeout; resolves { status, body, ms } or { error } — never rejects. */
function post(agent, path, type, body, timeoutMs) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result) => { if (!settled) { settled = true; resolve(result); } };
    const request = http.request(`${options.base}${path}`, {
      method: 'POST', agent, timeout: timeoutMs,
      headers: { ...auth, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) },
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => finish({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => finish({ error: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => finish({ error: error.message === 'timeout' ? 'timeout' : 'network' }));
    request.end(body);
  });
}

function clis() {
  const started = performance.now();
  const gapMs = (60_000 * options.clis) / options.eventsPerMinute;
  const acked = fs.createWriteStream(options.ackedFile);
  const uploads = fs.createWriteStream(options.uploadsFile);
  const total = { sent: 0, ok: 0, retries: 0, retryMismatch: 0, unexpectedDuplicate: 0, errors: {}, uploads: 0, uploadsFailed: 0, uploadErrors: {} };
  let window = { latencies: [], errors: 0, uploads: [], uploadsFailed: 0, from: performance.now() };
  let stopping = false;
  let inFlight = 0;
  let maxEventId = 0;
  const error = (kind) => {
    total.errors[kind] = (total.errors[kind] ?? 0) + 1;
    window.errors++;
  };

  async function send(agent, ev, body, due, original) {
    inFlight++;
    total.sent++;
    const result = await post(agent, '/api/ingest', 'application/json', body, 10_000);
    inFlight--;
    const ms = performance.now() - due;
    if (result.error) { error(result.error); return; }
    if (result.status >= 300) { error(`http_${result.status}`); return; }
    window.latencies.push(ms);
    let answer;
    try { answer = JSON.parse(result.body); } catch { error('unparsable_answer'); return; }
    if (original !== undefined) {
      total.retries++;
      if (answer.duplicate !== true || answer.event_id !== original) total.retryMismatch++;
      return;
    }
    if (answer.duplicate === true) total.unexpectedDuplicate++;
    if (!Number.isSafeInteger(answer.event_id)) { error('no_event_id'); return; }
    total.ok++;
    maxEventId = Math.max(maxEventId, answer.event_id);
    acked.write(`${answer.event_id}\t${ev.type}\t${ev.data.conversation_id ?? ''}\t${ev.data.message_id ?? ''}\n`);
    // The CLI retries after a timeout it saw although the server had committed: 2% of messages.
    if (ev.type === 'message.created' && Math.random() < 0.02 && !stopping) {
      const retryDue = performance.now() + between(500, 2000);
      await sleep(retryDue - performance.now());
      if (!stopping) await send(agent, ev, body, retryDue, answer.event_id);
    }
  }

  async function cli(index) {
    // Go's client keeps its connection alive between the CLI's events: one socket per CLI.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 2 });
    let due = started + (index / options.clis) * options.rampSeconds * 1000;
    for (let n = 0; !stopping; n++) {
      const conversationId = `${options.runId}-cli${index}-${n}`;
      const pending = new Set();
      for (const ev of conversation(conversationId, options.contentBytes)) {
        await sleep(due - performance.now());
        if (stopping) break;
        // conversation.completed is the CLI's last word: it goes once everything before it is answered.
        if (ev.type === 'conversation.completed') await Promise.all(pending);
        ev.timestamp = timestamp();
        const sending = send(agent, ev, JSON.stringify(ev), due);
        pending.add(sending);
        sending.finally(() => pending.delete(sending));
        due += gapMs * (0.5 + Math.random());
      }
    }
    agent.destroy();
  }

  let uploadCount = 0;
  let uploading = false;
  async function uploadOne() {
    if (stopping || uploading) return;
    uploading = true;
    const n = uploadCount++;
    const ndjson = n % 2 === 1;
    const conversationId = `${options.runId}-upload-${n}`;
    const body = upload(conversationId, options.uploadMessages, options.contentBytes, ndjson);
    const from = performance.now();
    const result = await post(undefined, '/api/sessions/upload', ndjson ? 'application/x-ndjson' : 'application/json', body, 60_000);
    const seconds = (performance.now() - from) / 1000;
    uploading = false;
    let created = null;
    try { created = result.status === 201 ? JSON.parse(result.body).messages_created : null; } catch { /* counted below */ }
    if (created === null) {
      total.uploadsFailed++;
      window.uploadsFailed++;
      const kind = result.error ?? `http_${result.status}`;
      total.uploadErrors[kind] = (total.uploadErrors[kind] ?? 0) + 1;
      return;
    }
    total.uploads++;
    window.uploads.push(seconds);
    uploads.write(`${conversationId}\t${created}\t${ndjson ? 'ndjson' : 'json'}\t${body.length}\n`);
  }
  const uploadTimer = setInterval(uploadOne, options.uploadEverySeconds * 1000);

  const running = Array.from({ length: options.clis }, (_, i) => cli(i));

  commands(async (command) => {
    if (command === 'stats') {
      const latencies = window.latencies.sort((a, b) => a - b);
      const seconds = (performance.now() - window.from) / 1000;
      const figures = {
        window_s: round(seconds), ingest_ok: latencies.length, ingest_errors: window.errors,
        ingest_per_min: Math.round((latencies.length + window.errors) / seconds * 60),
        p50_ms: round(percentile(latencies, 50)), p99_ms: round(percentile(latencies, 99)),
        max_ms: round(latencies.at(-1) ?? null), uploads: window.uploads.length, uploads_failed: window.uploadsFailed,
        upload_max_s: round(window.uploads.length ? Math.max(...window.uploads) : null, 2), in_flight: inFlight,
        total,
      };
      window = { latencies: [], errors: 0, uploads: [], uploadsFailed: 0, from: performance.now() };
      return figures;
    }
    if (command === 'stop') {
      stopping = true;
      clearInterval(uploadTimer);
      const deadline = performance.now() + 30_000;
      while ((inFlight > 0 || uploading) && performance.now() < deadline) await sleep(50);
      await Promise.race([Promise.all(running), sleep(15_000)]);
      await new Promise((resolve) => acked.end(resolve));
      await new Promise((resolve) => uploads.end(resolve));
      return { stopped: true, in_flight: inFlight, max_event_id: maxEventId, total };
    }
    return { error: `unknown command ${command}` };
  });
}

// --- Streams --------------------------------------------------------------------------------

const plainAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** What one stream (one filter, resumed across connections) received. */
class Logical {
  constructor(kind, conversationId, after) {
    this.kind = kind;               // 'overview' or 'conversation'
    this.conversationId = conversationId;
    this.after = after;             // offsets above this one are expected; null: live from the first connect
    this.lastId = after;
    this.connects = 0;
    this.duplicates = 0;
    this.outOfOrder = 0;
    this.notRecovered = 0;
    this.completedSeen = false;
    // Overview streams see every event: a bitmap by offset; conversation pages a short list.
    this.bits = kind === 'overview' ? new Uint8Array(1 << 16) : null;
    this.ids = kind === 'overview' ? null : [];
    this.count = 0;
  }

  has(id) {
    if (this.bits) return (id >> 3) < this.bits.length && (this.bits[id >> 3] & (1 << (id & 7))) !== 0;
    return this.ids.includes(id);
  }

  receive(id) {
    const seen = this.has(id);
    if (seen) { this.duplicates++; return; }
    if (this.lastId !== null && id <= this.lastId) this.outOfOrder++;
    if (this.bits) {
      while ((id >> 3) >= this.bits.length) {
        const grown = new Uint8Array(this.bits.length * 2);
        grown.set(this.bits);
        this.bits = grown;
      }
      this.bits[id >> 3] |= 1 << (id & 7);
    } else {
      this.ids.push(id);
    }
    this.count++;
    if (this.lastId === null || id > this.lastId) this.lastId = id;
  }
}

function streams() {
  const total = { connects: 0, failures: {}, ends: {}, events: 0, conversationsFollowed: 0 };
  let window = { connects: 0, events: 0, ends: {}, failures: 0 };
  const done = [];                  // conversation pages that moved on
  const live = new Map();           // conversation id -> offset of its conversation.started
  let finishing = false;
  let readyResolve;
  const ready = new Promise((resolve) => { readyResolve = resolve; });
  const count = (map, key) => { map[key] = (map[key] ?? 0) + 1; };
  const every = Math.max(1, Math.floor(options.streams / Math.max(1, options.reconnecting)));

  /** One physical stream slot: a dashboard tab, which reconnects and moves between conversations. */
  class Slot {
    constructor(index, logical) {
      this.index = index;
      this.logical = logical;
      this.request = null;
      this.connected = false;
      this.failures = 0;
      this.reconnects = options.reconnecting > 0 && index % every === 0;
    }

    open() {
      if (finishing) return;
      const logical = this.logical;
      const params = new URLSearchParams();
      if (logical.conversationId) params.set('conversation_id', logical.conversationId);
      const headers = { ...auth, Accept: 'text/event-stream' };
      // An overview page's first connect is live: it opens before any event exists.
      const resume = logical.kind === 'overview' && logical.connects === 0 ? null : logical.lastId;
      if (resume !== null) {
        if (this.index % 2 === 0) headers['Last-Event-ID'] = String(resume);
        else params.set('last_event_id', String(resume));
      }
      const query = params.toString();
      this.connected = false;
      this.reason = null;
      const request = http.get(`${options.base}/api/realtime/stream${query ? `?${query}` : ''}`, { agent: plainAgent, headers }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          count(total.failures, `http_${response.statusCode}`);
          window.failures++;
          this.ended(request, 'refused');
          return;
        }
        response.setEncoding('latin1');
        let rest = '';
        response.on('data', (chunk) => {
          const text = rest.length === 0 ? chunk : rest + chunk;
          let start = 0;
          for (let end = text.indexOf('\n\n', start); end >= 0; end = text.indexOf('\n\n', start)) {
            this.frame(request, text.slice(start, end), resume);
            start = end + 2;
          }
          rest = start === 0 ? text : text.slice(start);
        });
        response.on('end', () => this.ended(request, this.reason ?? 'server_closed'));
        response.on('error', () => this.ended(request, this.reason ?? 'dropped'));
        response.on('aborted', () => this.ended(request, this.reason ?? 'dropped'));
      });
      request.on('error', (error) => {
        if (!this.connected && this.request === request && !this.reason) {
          count(total.failures, error.code ?? 'error');
          window.failures++;
        }
        this.ended(request, this.reason ?? (this.connected ? 'dropped' : 'refused'));
      });
      this.request = request;
    }

    frame(request, frame, resume) {
      if (request !== this.request) return;
      const logical = this.logical;
      if (!this.connected) {
        if (!frame.includes('"type":"connected"')) return;
        this.connected = true;
        this.failures = 0;
        logical.connects++;
        total.connects++;
        window.connects++;
        if (resume !== null && !frame.includes('"recovered":true')) logical.notRecovered++;
        if (this.reconnects) {
          clearTimeout(this.dropTimer);
          this.dropTimer = setTimeout(() => this.drop('planned'), jitter(options.reconnectEverySeconds * 1000));
        }
        return;
      }
      if (frame.includes(':reconnect')) { this.reason = 'server_ended'; return; }
      if (!frame.startsWith('id:')) return;
      const id = Number(frame.slice(3, frame.indexOf('\n')));
      logical.receive(id);
      total.events++;
      window.events++;
      if (this.index === 0) discover(frame, id);
      if (logical.kind === 'conversation' && !logical.completedSeen && frame.includes('"type":"conversation.completed"')) {
        logical.completedSeen = true;
        // The page stays open a little, as a reader would, then another conversation is opened.
        setTimeout(() => this.drop('moved_on'), between(0, options.lingerSeconds * 1000));
      }
    }

    drop(reason) {
      if (!this.request || finishing) return;
      this.reason = reason;
      this.request.destroy();
    }

    ended(request, reason) {
      if (request !== this.request) return;
      this.request = null;
      clearTimeout(this.dropTimer);
      clearTimeout(this.giveUpTimer);
      if (finishing) return;
      if (this.connected) {
        count(total.ends, reason);
        count(window.ends, reason);
      }
      if (reason === 'moved_on' || reason === 'gave_up') {
        this.next();
        return;
      }
      // The dashboard's back-off: 0.5 s doubling to 8 s while attempts fail; a planned drop or
      // an ended stream reconnects after about the server's retry hint.
      if (reason === 'refused') this.failures++;
      const delay = reason === 'refused' ? Math.min(8000, 500 * 2 ** (this.failures - 1))
        : reason === 'planned' || reason === 'dropped' ? 500 : 3000;
      setTimeout(() => this.open(), jitter(delay));
    }

    /** A conversation page moves on: its stream is done, another live conversation is opened. */
    next() {
      if (this.logical.connects > 0) done.push(this.logical);
      const choices = [...live.entries()];
      if (choices.length === 0) {
        this.logical = new Logical('conversation', null, null);
        setTimeout(() => this.next(), 1000);
        return;
      }
      const [conversationId, startedId] = choices[between(0, choices.length - 1)];
      this.logical = new Logical('conversation', conversationId, startedId - 1);
      total.conversationsFollowed++;
      // A conversation that never completes (its completion refused) is left after a while.
      this.giveUpTimer = setTimeout(() => this.drop('gave_up'), options.viewerMaxSeconds * 1000);
      this.open();
    }
  }

  /** The first overview stream tells the conversation pages which conversations are live. */
  function discover(frame, id) {
    if (!frame.includes('"type":"conversation.')) return;
    const start = frame.indexOf('data:');
    let data;
    try { data = JSON.parse(frame.slice(start + 5)); } catch { return; }
    const conversationId = data.data?.conversation_id;
    if (!conversationId || conversationId.includes('-upload-')) return;
    if (data.type === 'conversation.started') live.set(conversationId, id);
    else if (data.type === 'conversation.completed') live.delete(conversationId);
  }

  const slots = [];
  for (let i = 0; i < options.overview; i++) {
    slots.push(new Slot(i, new Logical('overview', null, 0)));
  }
  for (const slot of slots) slot.open();
  const waitReady = setInterval(() => {
    if (slots.every((slot) => slot.connected)) { clearInterval(waitReady); readyResolve(); }
  }, 50);
  ready.then(() => {
    console.log(JSON.stringify({ ready: slots.length }));
    // Conversation pages open as conversations appear, spread over the CLIs' ramp.
    for (let i = options.overview; i < options.streams; i++) {
      const slot = new Slot(i, new Logical('conversation', null, null));
      slots.push(slot);
      setTimeout(() => slot.next(), ((i - options.overview) / Math.max(1, options.streams - options.overview)) * options.rampSeconds * 1000);
    }
  });

  async function finish(files) {
    // The acknowledged events, and the highest offset every overview stream must reach.
    const conversationOf = new Map();
    const byConversation = new Map();
    let maxId = 0;
    for (const file of files) {
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const [idText, , conversationId] = line.split('\t');
        const id = Number(idText);
        if (conversationOf.has(id)) continue;
        conversationOf.set(id, conversationId);
        maxId = Math.max(maxId, id);
        if (conversationId) {
          if (!byConversation.has(conversationId)) byConversation.set(conversationId, []);
          byConversation.get(conversationId).push(id);
        }
      }
    }
    const overviews = slots.filter((slot) => slot.logical.kind === 'overview');
    const deadline = performance.now() + 60_000;
    while (overviews.some((slot) => (slot.logical.lastId ?? 0) < maxId) && performance.now() < deadline) await sleep(100);
    const caughtUp = overviews.every((slot) => (slot.logical.lastId ?? 0) >= maxId);
    // Conversation pages read the same events: a moment more for them.
    await sleep(2000);
    finishing = true;
    for (const slot of slots) {
      clearTimeout(slot.dropTimer);
      clearTimeout(slot.giveUpTimer);
      slot.request?.destroy();
    }
    const logicals = [...done, ...slots.map((slot) => slot.logical).filter((logical) => logical.connects > 0)];
    const result = {
      finished: true, caught_up: caughtUp, acknowledged: conversationOf.size, max_event_id: maxId,
      streams_checked: logicals.length, overview_streams: 0, conversation_streams: 0, events_checked: 0,
      missing: 0, duplicates: 0, out_of_order: 0, outside_filter: 0, not_recovered: 0, unacknowledged_received: 0,
      connects: total.connects, ends: total.ends, failures: total.failures, first_missing: [],
    };
    for (const logical of logicals) {
      result.duplicates += logical.duplicates;
      result.out_of_order += logical.outOfOrder;
      result.not_recovered += logical.notRecovered;
      const after = logical.after ?? 0;
      if (logical.kind === 'overview') {
        result.overview_streams++;
        let received = 0;
        for (const id of conversationOf.keys()) {
          if (id <= after) continue;
          result.events_checked++;
          if (logical.has(id)) {
            received++;
          } else {
            result.missing++;
            if (result.first_missing.length < 5) result.first_missing.push(`overview:${id}`);
          }
        }
        result.unacknowledged_received += logical.count - received;
      } else {
        result.conversation_streams++;
        const expected = (byConversation.get(logical.conversationId) ?? []).filter((id) => id > after);
        result.events_checked += expected.length;
        for (const id of expected) {
          if (!logical.has(id)) {
            result.missing++;
            if (result.first_missing.length < 5) result.first_missing.push(`${logical.conversationId}:${id}`);
          }
        }
        for (const id of logical.ids) {
          if (!conversationOf.has(id)) result.unacknowledged_received++;
          else if (conversationOf.get(id) !== logical.conversationId) result.outside_filter++;
        }
      }
    }
    return result;
  }

  commands(async (command, args) => {
    if (command === 'stats') {
      const figures = {
        open: slots.filter((slot) => slot.connected && slot.request).length, connects: window.connects,
        events: window.events, ends: window.ends, failures: window.failures, live_conversations: live.size,
        conversation_pages_done: done.length,
      };
      window = { connects: 0, events: 0, ends: {}, failures: 0 };
      return figures;
    }
    if (command === 'finish') return finish(args);
    return { error: `unknown command ${command}` };
  });
}

if (mode === 'clis') clis();
else streams();
