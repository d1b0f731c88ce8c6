// One conversation: header (participants, prompt, status, stored and reported totals), the
// messages as a windowed list loaded page by page, live messages, errors and completion from
// the stream, log entries on demand, and exports.

import { query, request } from './api.js';
import { colourSlot, format, h } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { VirtualList } from './virtual-list.js';

const PAGE = 100;
const LOG_PAGES = 10;

export function mountConversation(main, ctx) {
  const { id } = ctx;
  const abort = new AbortController();
  const messages = [];
  const seen = new Set();            // message identities already listed
  const logs = [];
  let detail = null;
  let cursor = null;
  let complete = false;              // every stored page is loaded
  let loading = null;
  let ready = false;
  let queued = [];
  let showLogs = false;
  let logsLoaded = false;
  let markdown = true;
  const colours = new Map();         // agent -> colour slot, first come first served: distinct within a conversation
  const colour = (agent) => {
    const name = agent || 'agent';
    if (!colours.has(name)) {
      const taken = new Set(colours.values());
      let slot = colourSlot(name);
      for (let i = 0; i < 8 && taken.has(slot); i += 1) slot = (slot + 1) % 8;
      colours.set(name, slot);
    }
    return colours.get(name);
  };

  const header = h('section', { className: 'card conversation-head', id: 'conversation-head' }, h('p', { className: 'muted' }, 'Loading…'));
  const banners = h('div', { className: 'banners', id: 'banners' });
  const counter = h('span', { className: 'muted', id: 'message-counter' });
  const logToggle = h('input', { type: 'checkbox', id: 'show-logs' });
  const markdownToggle = h('input', { type: 'checkbox', id: 'render-markdown', checked: true });
  const list = new VirtualList({
    className: 'messages',
    keyOf: (item) => item.key,
    render: (item) => (item.kind === 'log' ? logNode(item) : messageNode(item)),
    onNearEnd: () => loadMore(),
  });
  list.element.id = 'messages';

  const exportButton = (format, label) => h('button', {
    type: 'button', className: 'quiet', dataset: { export: format }, onclick: () => download(format),
  }, label);

  main.replaceChildren(h('div', { className: 'conversation' },
    header, banners,
    h('div', { className: 'toolbar' },
      h('label', { className: 'toggle' }, logToggle, ' Show log entries'),
      h('label', { className: 'toggle' }, markdownToggle, ' Render Markdown'),
      counter,
      h('span', { className: 'spacer' }),
      h('span', { className: 'muted' }, 'Export'),
      exportButton('json', 'JSON'), exportButton('ndjson', 'Event log'), exportButton('markdown', 'Markdown')),
    list.element));
  const back = h('a', { href: '/' }, 'Overview');
  back.addEventListener('click', (click) => {
    if (click.button === 0 && !click.metaKey && !click.ctrlKey) { click.preventDefault(); ctx.navigate('/'); }
  });
  ctx.crumbs.replaceChildren(back, h('span', { className: 'sep' }, '/'), h('span', { id: 'crumb-id' }, id));

  logToggle.addEventListener('change', async () => {
    showLogs = logToggle.checked;
    if (showLogs && !logsLoaded) await loadLogs();
    refreshList();
  });
  markdownToggle.addEventListener('change', () => { markdown = markdownToggle.checked; list.invalidate(); });

  const stream = ctx.openStream({
    conversationId: id,
    what: 'this conversation',
    onEvents: (events) => (ready ? apply(events) : queued.push(...events)),
    reload,
  });
  reload();

  async function reload() {
    ready = false;
    messages.length = 0;
    seen.clear();
    logs.length = 0;
    logsLoaded = false;
    cursor = null;
    complete = false;
    try {
      await Promise.all([loadDetail(), loadMore(), showLogs ? loadLogs() : null]);
    } catch (failure) {
      if (failure.name !== 'AbortError') ctx.showNotice(ctx.describe(failure));
    }
    ready = true;
    const pending = queued;
    queued = [];
    if (pending.length) apply(pending);
  }

  async function loadDetail() {
    try {
      detail = await request(`/api/conversations/${encodeURIComponent(id)}`, { signal: abort.signal });
      renderHeader();
      refreshCounter();   // the first page may have arrived before the totals
    } catch (failure) {
      if (failure.status === 404) {
        header.replaceChildren(h('h1', null, 'Conversation not found'),
          h('p', { className: 'muted' }, `${failure.detail || 'No conversation has this id.'} It appears here as soon as its first event arrives.`));
        return;
      }
      throw failure;
    }
  }

  /** The next page of stored messages (one request at a time). */
  function loadMore() {
    if (complete || loading) return loading;
    loading = (async () => {
      try {
        const page = await request(`/api/conversations/${encodeURIComponent(id)}/messages${query({ limit: PAGE, cursor })}`,
          { signal: abort.signal });
        for (const message of page.items) addMessage(message);
        cursor = page.next_cursor;
        complete = !cursor;
        refreshList();
        // For anyone measuring how fast a conversation opens (User Timing, visible in dev tools).
        if (messages.length && !performance.getEntriesByName('agentstream:first-messages').length) {
          performance.mark('agentstream:first-messages');
        }
      } catch (failure) {
        if (failure.status === 404) { complete = true; return; }
        if (failure.name !== 'AbortError') ctx.showNotice(ctx.describe(failure));
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  async function loadLogs() {
    let after = 0;
    for (let page = 0; page < LOG_PAGES; page += 1) {
      const result = await request(`/api/events${query({ conversation_id: id, types: 'log.entry', after, limit: 1000 })}`,
        { signal: abort.signal });
      for (const event of result.events) addLog(event);
      // A page also ends early at the server's byte budget: has_more says whether to go on.
      if (!result.has_more) break;
      after = result.next_after;
    }
    logsLoaded = true;
  }

  function identity(message) {
    if (message.message_id) return `id:${message.message_id}`;
    if (message.sequence_number !== undefined && message.sequence_number !== null) return `seq:${message.sequence_number}`;
    return `t:${message.timestamp}:${message.agent_id || message.agent_name || message.agent_type}:${(message.content || '').length}`;
  }

  function addMessage(message) {
    const key = identity(message);
    if (seen.has(key)) return false;
    seen.add(key);
    if (message.sequence_number !== undefined && message.sequence_number !== null) seen.add(`seq:${message.sequence_number}`);
    messages.push({ ...message, kind: 'message', key, order: messages.length });
    return true;
  }

  function addLog(event) {
    const key = `log:${event.event_id}`;
    if (logs.some((log) => log.key === key)) return;
    logs.push({ ...event.data, timestamp: event.data.timestamp || event.timestamp, kind: 'log', key, eventId: event.event_id });
  }

  /** live: new items came from the stream, so a reader at the bottom keeps following. */
  function refreshList(live = false) {
    let items = messages;
    if (showLogs && logs.length) {
      // Log entries go between the messages by time; beyond the loaded pages they wait for them.
      const lastLoaded = complete ? Infinity : Date.parse(messages[messages.length - 1]?.timestamp ?? '') || -Infinity;
      const shown = logs.filter((log) => Date.parse(log.timestamp) <= lastLoaded)
        .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      items = [];
      let next = 0;
      for (const message of messages) {
        const time = Date.parse(message.timestamp);
        while (next < shown.length && Date.parse(shown[next].timestamp) < time) items.push(shown[next++]);
        items.push(message);
      }
      while (next < shown.length) items.push(shown[next++]);
    }
    list.setItems(items, { follow: complete && live });
    const total = detail?.totals?.messages ?? messages.length;
    counter.textContent = `${format.count(messages.length)} of ${format.count(Math.max(total, messages.length))} messages loaded`;
    counter.dataset.loaded = String(messages.length);
  }

  function apply(events) {
    let changed = false;
    for (const event of events) {
      const data = event.data || {};
      if (data.conversation_id && data.conversation_id !== id) continue;
      switch (event.type) {
        case 'message.created': {
          // Already listed (a replay after a reload): neither shown nor counted again.
          if (seen.has(identity(data))) break;
          if (detail) {
            const tokens = data.tokens_used ?? ((data.input_tokens ?? null) === null && (data.output_tokens ?? null) === null
              ? 0 : (data.input_tokens || 0) + (data.output_tokens || 0));
            detail.totals.messages = Number(detail.totals.messages) + 1;
            detail.totals.tokens = Number(detail.totals.tokens) + Number(tokens);
            detail.totals.cost = Number(detail.totals.cost) + Number(data.cost || 0);
            detail.totals.duration_ms = Number(detail.totals.duration_ms) + Number(data.duration_ms || 0);
          }
          // Beyond the loaded pages a message arrives with its page; only a fully loaded list grows live.
          if (complete && addMessage({ ...data, timestamp: data.timestamp || event.timestamp })) changed = true;
          break;
        }
        case 'log.entry':
          addLog(event);
          if (showLogs) changed = true;
          break;
        case 'conversation.completed':
          banner('done', `Conversation ${String(data.status || 'completed').toLowerCase()}`,
            data.summary?.short_text || data.summary?.text || '');
          refetchDetail();
          break;
        case 'conversation.error':
          banner('error', `Error${data.error_type ? ` (${data.error_type})` : ''}${data.agent_type ? ` from ${data.agent_type}` : ''}`,
            data.error_message || '');
          refetchDetail();
          break;
        case 'conversation.started':
        case 'session.uploaded':
          refetchDetail();
          if (event.type === 'session.uploaded') { complete = false; loadMore(); }
          break;
        default:
      }
    }
    if (detail) renderHeader();
    if (changed) refreshList(true);
    else if (detail) refreshCounter();
  }

  function refreshCounter() {
    const total = detail?.totals?.messages ?? messages.length;
    counter.textContent = `${format.count(messages.length)} of ${format.count(Math.max(total, messages.length))} messages loaded`;
  }

  async function refetchDetail() {
    try {
      const fresh = await request(`/api/conversations/${encodeURIComponent(id)}`, { signal: abort.signal });
      // Streamed messages were counted one by one; keep that count when it is ahead of this read.
      if (detail && Number(detail.totals.messages) > Number(fresh.totals.messages)) fresh.totals = detail.totals;
      detail = fresh;
      renderHeader();
    } catch (failure) {
      if (failure.name !== 'AbortError' && failure.status !== 404) ctx.showNotice(ctx.describe(failure));
    }
  }

  function banner(kind, title, text) {
    banners.append(h('div', { className: `banner ${kind}`, role: 'status', dataset: { kind } },
      h('strong', null, title), text ? h('span', null, ` — ${text}`) : null));
  }

  function renderHeader() {
    const d = detail;
    const reported = d.reported || {};
    const stat = (label, value, cls) => h('div', { className: `stat-inline ${cls || ''}` }, h('span', { className: 'muted' }, label), h('strong', null, value));
    const participants = (d.participants || []).map((p) => h('li', { className: `participant agent-${colour(p.name || p.agent_type)}` },
      h('span', { className: 'swatch' }), h('strong', null, p.name || p.agent_type), ' ',
      h('span', { className: 'tag' }, p.agent_type), p.model ? h('span', { className: 'muted' }, ` ${p.model}`) : null));
    header.replaceChildren(...[
      h('div', { className: 'head-line' },
        h('h1', { id: 'conversation-title' }, d.name || d.id),
        h('span', { className: 'status', id: 'conversation-status', dataset: { status: d.status } }, String(d.status).toLowerCase()),
        d.mode ? h('span', { className: 'tag' }, d.mode) : null,
        h('span', { className: 'muted' }, `started ${format.time(d.started_at || d.created_at)}`),
        d.completed_at ? h('span', { className: 'muted' }, ` · ended ${format.time(d.completed_at)}`) : null),
      participants.length ? h('ul', { className: 'participants' }, participants) : null,
      d.initial_prompt ? h('div', { className: 'prompt-box' }, h('span', { className: 'muted' }, 'Initial prompt'),
        h('p', { id: 'initial-prompt' }, d.initial_prompt)) : null,
      h('div', { className: 'totals', id: 'conversation-totals' },
        stat('Messages', format.count(d.totals.messages), 'total-messages'),
        stat('Tokens', format.count(d.totals.tokens), 'total-tokens'),
        stat('Cost', format.cost(d.totals.cost), 'total-cost'),
        stat('Agent time', format.duration(d.totals.duration_ms)),
        h('span', { className: 'divider' }),
        h('span', { className: 'muted reported-label' }, 'Reported by the CLI'),
        stat('Messages', format.count(reported.messages)),
        stat('Turns', format.count(reported.turns)),
        stat('Tokens', format.count(reported.tokens)),
        stat('Cost', format.cost(reported.cost)),
        stat('Duration', reported.duration_seconds == null ? '—' : format.duration(Number(reported.duration_seconds) * 1000))),
      d.summary?.short_text || d.summary?.text
        ? h('p', { className: 'summary' }, h('span', { className: 'muted' }, 'Summary '), d.summary.short_text || d.summary.text) : null,
      d.error?.message ? h('p', { className: 'banner error' }, h('strong', null, `Error${d.error.type ? ` (${d.error.type})` : ''}`), ` — ${d.error.message}`) : null,
    ].filter(Boolean));
  }

  function messageNode(message) {
    const who = message.agent_name || message.agent_type || 'agent';
    const meta = [
      message.model,
      message.tokens_used != null ? `${format.count(message.tokens_used)} tokens` : null,
      message.cost != null ? format.cost(message.cost) : null,
      message.duration_ms != null ? format.duration(message.duration_ms) : null,
    ].filter(Boolean).join(' · ');
    const body = h('div', { className: markdown ? 'content markdown' : 'content plain' });
    if (markdown) body.append(renderMarkdown(message.content)); else body.textContent = message.content ?? '';
    return h('article', {
      className: `message agent-${colour(who)}`,
      dataset: { messageId: message.message_id || message.key, sequence: message.sequence_number ?? '' },
    },
    h('header', null,
      h('span', { className: 'swatch' }),
      h('strong', { className: 'agent-name' }, who),
      h('span', { className: 'tag' }, message.agent_type || ''),
      message.sequence_number != null ? h('span', { className: 'muted' }, `#${message.sequence_number}`) : null,
      h('span', { className: 'spacer' }),
      h('span', { className: 'muted meta' }, meta),
      h('time', { className: 'muted', dateTime: message.timestamp || '' }, format.clock(message.timestamp))),
    body);
  }

  function logNode(log) {
    return h('div', { className: `log-entry level-${String(log.level || 'info').toLowerCase()}`, dataset: { eventId: log.eventId } },
      h('span', { className: 'log-level' }, String(log.level || 'info').toUpperCase()),
      h('span', { className: 'muted' }, format.clock(log.timestamp)),
      h('span', { className: 'agent-name' }, log.agent_name || log.agent_type || ''),
      h('span', { className: 'log-content' }, log.content ?? ''));
  }

  async function download(formatName) {
    try {
      const response = await request(`/api/conversations/${encodeURIComponent(id)}/export${query({ format: formatName })}`,
        { raw: true, signal: abort.signal });
      const blob = await response.blob();
      const extension = { json: 'json', ndjson: 'jsonl', markdown: 'md' }[formatName];
      const link = h('a', { href: URL.createObjectURL(blob), download: `conversation-${id}.${extension}` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (failure) {
      if (failure.name !== 'AbortError') ctx.showNotice(ctx.describe(failure));
    }
  }

  return () => {
    abort.abort();
    stream.stop();
    list.destroy();
  };
}
