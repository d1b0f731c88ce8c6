// The overview: totals and charts from /api/metrics/summary, the conversations from
// /api/conversations (filters, keyset pages), all kept current from the live stream.

import { query, request } from './api.js';
import { format, h } from './dom.js';
import { minuteBars, rankedBars } from './charts.js';

const STATUSES = ['ACTIVE', 'COMPLETED', 'INTERRUPTED', 'ERROR'];
const PAGE = 50;
const MINUTES = 60;

export function mountOverview(main, ctx) {
  const filters = readFilters();
  const rows = new Map();                 // conversation id -> {item, tr}
  let cursor = null;
  let ready = false;
  let queued = [];
  let refreshTimer = null;
  let minutes = new Array(MINUTES).fill(0);
  let minuteBase = currentMinute() - (MINUTES - 1);   // the minute values[0] stands for
  let summary = null;
  const abort = new AbortController();

  // --- layout ---
  const cards = h('section', { className: 'cards', id: 'totals' });
  const perMinute = h('div', { className: 'chart', id: 'messages-per-minute' });
  const costChart = h('div', { className: 'chart', id: 'cost-by-agent' });
  const statusSelect = h('select', { id: 'filter-status', 'aria-label': 'Status' },
    h('option', { value: '' }, 'Any status'), STATUSES.map((s) => h('option', { value: s }, s.toLowerCase())));
  const agentSelect = h('select', { id: 'filter-agent', 'aria-label': 'Agent type' }, h('option', { value: '' }, 'Any agent'));
  const search = h('input', { type: 'search', id: 'filter-q', placeholder: 'Search name or prompt', 'aria-label': 'Search' });
  statusSelect.value = filters.status;
  search.value = filters.q;
  const tbody = h('tbody', { id: 'conversation-rows' });
  const more = h('button', { type: 'button', id: 'load-more', className: 'quiet', hidden: true, onclick: () => loadPage() }, 'Load more');
  const listState = h('p', { className: 'muted list-state', id: 'list-state' });

  main.replaceChildren(h('div', { className: 'overview' },
    cards,
    h('section', { className: 'charts' },
      h('div', { className: 'card' }, h('h2', null, 'Messages per minute, last hour'), perMinute),
      h('div', { className: 'card' }, h('h2', null, 'Cost by agent type and model'), costChart)),
    h('section', { className: 'card conversations' },
      h('div', { className: 'list-head' },
        h('h2', null, 'Conversations'),
        h('form', { className: 'filters', onsubmit: (e) => { e.preventDefault(); applyFilters(); } },
          statusSelect, agentSelect, search, h('button', { type: 'submit', className: 'quiet' }, 'Filter'))),
      h('div', { className: 'table-wrap' }, h('table', { className: 'conversation-table' },
        h('thead', null, h('tr', null, ['Conversation', 'Status', 'Agents', 'Messages', 'Tokens', 'Cost', 'Started']
          .map((title, i) => h('th', { className: i >= 3 && i <= 5 ? 'num' : '' }, title)))),
        tbody)),
      listState, more)));
  ctx.crumbs.replaceChildren(h('span', null, 'Overview'));
  statusSelect.addEventListener('change', applyFilters);
  agentSelect.addEventListener('change', applyFilters);
  let searchTimer;
  search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(applyFilters, 350); });

  // The stream opens first and its events wait until the first load is in, so none falls between.
  const stream = ctx.openStream({
    what: 'the overview',
    onEvents: (events) => (ready ? apply(events) : queued.push(...events)),
    reload,
  });
  reload();

  async function reload() {
    ready = false;
    try {
      await Promise.all([loadSummary(), loadFirstPage(), loadMinutes()]);
    } catch (failure) {
      if (failure.name !== 'AbortError') ctx.showNotice(ctx.describe(failure));
    }
    ready = true;
    const pending = queued;
    queued = [];
    if (pending.length) apply(pending);
  }

  function readFilters() {
    const params = new URLSearchParams(window.location.search);
    return { status: params.get('status') || '', agent_type: params.get('agent_type') || '', q: params.get('q') || '' };
  }

  function applyFilters() {
    filters.status = statusSelect.value;
    filters.agent_type = agentSelect.value;
    filters.q = search.value.trim();
    history.replaceState(null, '', `/${query(filters)}`);
    loadFirstPage().catch((failure) => failure.name !== 'AbortError' && ctx.showNotice(ctx.describe(failure)));
  }

  async function loadFirstPage() {
    const page = await request(`/api/conversations${query({ ...filters, limit: PAGE })}`, { signal: abort.signal });
    rows.clear();
    tbody.replaceChildren();
    addItems(page.items);
    cursor = page.next_cursor;
    updateListState();
  }

  async function loadPage() {
    if (!cursor) return;
    more.disabled = true;
    try {
      const page = await request(`/api/conversations${query({ ...filters, limit: PAGE, cursor })}`, { signal: abort.signal });
      addItems(page.items);
      cursor = page.next_cursor;
      updateListState();
    } catch (failure) {
      if (failure.name !== 'AbortError') ctx.showNotice(ctx.describe(failure));
    } finally {
      more.disabled = false;
    }
  }

  function updateListState() {
    more.hidden = !cursor;
    listState.textContent = rows.size ? `${format.count(rows.size)} shown${cursor ? ', more below' : ''}` : 'No conversations match.';
  }

  function addItems(items, atTop = false) {
    const nodes = [];
    for (const item of items) {
      const existing = rows.get(item.id);
      if (existing) {
        // The server's totals are the truth. Streamed messages are counted locally at once, but a
        // page read racing them may already include some (counted twice) or not yet others; every
        // streamed message schedules a read that starts after it was applied, so the last read
        // settles the count.
        existing.item = item;
        fillRow(existing);
        continue;
      }
      const row = { item, tr: rowNode(item) };
      rows.set(item.id, row);
      fillRow(row);
      nodes.push(row.tr);
    }
    if (atTop) tbody.prepend(...nodes); else tbody.append(...nodes);
  }

  function rowNode(item) {
    const open = () => ctx.navigate(`/conversations/${encodeURIComponent(item.id)}`);
    const link = h('a', { href: `/conversations/${encodeURIComponent(item.id)}`, className: 'name' });
    link.addEventListener('click', (click) => {
      if (click.button === 0 && !click.metaKey && !click.ctrlKey) { click.preventDefault(); open(); }
    });
    return h('tr', { dataset: { conversationId: item.id } },
      h('td', null, link, h('div', { className: 'prompt muted' })),
      h('td', null, h('span', { className: 'status' })),
      h('td', { className: 'agents' }),
      h('td', { className: 'num messages' }), h('td', { className: 'num tokens' }), h('td', { className: 'num cost' }),
      h('td', { className: 'started muted' }));
  }

  function fillRow({ item, tr }) {
    const cells = tr.children;
    cells[0].firstChild.textContent = item.name || shortId(item.id);
    cells[0].lastChild.textContent = (item.initial_prompt || '').slice(0, 140);
    const status = cells[1].firstChild;
    status.textContent = (item.status || 'ACTIVE').toLowerCase();
    status.dataset.status = item.status || 'ACTIVE';
    cells[2].replaceChildren(...(item.agent_types || []).map((type) => h('span', { className: 'tag' }, type)));
    cells[3].textContent = format.count(item.totals?.messages ?? 0);
    cells[4].textContent = format.count(item.totals?.tokens ?? 0);
    cells[5].textContent = format.cost(item.totals?.cost ?? 0);
    cells[6].textContent = format.time(item.started_at || item.created_at);
  }

  async function loadSummary() {
    summary = await request('/api/metrics/summary', { signal: abort.signal });
    renderSummary();
    const known = new Set([...agentSelect.options].map((o) => o.value));
    for (const usage of summary.by_agent_type || []) {
      if (!known.has(usage.key)) agentSelect.append(h('option', { value: usage.key }, usage.key));
    }
    agentSelect.value = filters.agent_type;
  }

  function renderSummary() {
    const byStatus = summary.conversations_by_status || {};
    const conversations = Object.values(byStatus).reduce((a, b) => a + Number(b), 0);
    const card = (id, label, value, sub) => h('div', { className: 'card stat', id },
      h('div', { className: 'stat-label' }, label), h('div', { className: 'stat-value' }, value),
      sub ? h('div', { className: 'stat-sub muted' }, sub) : null);
    cards.replaceChildren(
      card('total-conversations', 'Conversations', format.count(conversations),
        STATUSES.filter((s) => byStatus[s]).map((s) => `${format.count(byStatus[s])} ${s.toLowerCase()}`).join(' · ') || 'none yet'),
      card('total-messages', 'Messages', format.count(summary.messages)),
      card('total-tokens', 'Tokens', format.count(summary.tokens)),
      card('total-cost', 'Cost', format.cost(summary.cost)));
    const ranked = (usages) => rankedBars((usages || [])
      .map((u) => ({ key: u.key, value: Number(u.cost), text: format.cost(u.cost) }))
      .sort((a, b) => b.value - a.value).slice(0, 6), { empty: 'No messages yet.' });
    costChart.replaceChildren(ranked(summary.by_agent_type));
    if ((summary.by_model || []).length) costChart.append(h('div', { className: 'chart-divider' }), ranked(summary.by_model));
  }

  /** Messages per minute over the last hour: one summary per minute window, a few at a time. */
  async function loadMinutes() {
    const base = currentMinute() - (MINUTES - 1);
    const values = new Array(MINUTES).fill(0);
    let next = 0;
    const worker = async () => {
      while (next < MINUTES) {
        const index = next++;
        const since = new Date((base + index) * 60000).toISOString();
        const until = new Date((base + index + 1) * 60000).toISOString();
        const window = await request(`/api/metrics/summary${query({ since, until })}`, { signal: abort.signal });
        values[index] = Number(window.messages) || 0;
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    minutes = values;
    minuteBase = base;
    renderMinutes();
  }

  function renderMinutes() {
    shiftMinutes();
    perMinute.replaceChildren(minuteBars(minutes, { label: 'Messages per minute over the last hour', unit: 'messages' }));
  }

  function shiftMinutes() {
    const shift = currentMinute() - (minuteBase + MINUTES - 1);
    if (shift > 0) {
      minutes = minutes.slice(Math.min(shift, MINUTES)).concat(new Array(Math.min(shift, MINUTES)).fill(0));
      minuteBase += shift;
    }
  }

  /** One batch of stream events (one animation frame's worth). */
  function apply(events) {
    let refresh = false;
    let chart = false;
    for (const event of events) {
      const data = event.data || {};
      if (event.type === 'message.created') {
        const tokens = data.tokens_used ?? ((data.input_tokens ?? null) === null && (data.output_tokens ?? null) === null
          ? 0 : (data.input_tokens || 0) + (data.output_tokens || 0));
        const row = rows.get(data.conversation_id);
        if (row) {
          const totals = row.item.totals || (row.item.totals = { messages: 0, tokens: 0, cost: 0 });
          totals.messages = Number(totals.messages) + 1;
          totals.tokens = Number(totals.tokens) + Number(tokens);
          totals.cost = Number(totals.cost) + Number(data.cost || 0);
          refresh = true;
          fillRow(row);
          flash(row.tr);
        } else {
          refresh = true;
        }
        if (summary) {
          summary.messages = Number(summary.messages) + 1;
          summary.tokens = Number(summary.tokens) + Number(tokens);
          summary.cost = Number(summary.cost) + Number(data.cost || 0);
          for (const [list, key] of [['by_agent_type', data.agent_type], ['by_model', data.model]]) {
            if (!key) continue;
            const usage = (summary[list] ||= []).find((u) => u.key === key);
            if (usage) usage.cost = Number(usage.cost) + Number(data.cost || 0);
            else summary[list].push({ key, messages: 1, tokens, cost: Number(data.cost || 0) });
          }
        }
        const when = Math.floor(new Date(event.timestamp).getTime() / 60000);
        shiftMinutes();
        const index = when - minuteBase;
        if (index >= 0 && index < MINUTES) { minutes[index] += 1; chart = true; }
      } else if (['conversation.started', 'conversation.completed', 'conversation.error', 'session.uploaded'].includes(event.type)) {
        const row = rows.get(data.conversation_id);
        if (!row && event.type === 'conversation.started' && matchesFilters(data)) {
          // Shown at once from the event; the refresh below brings the stored row.
          addItems([{
            id: data.conversation_id, name: null, mode: data.mode, status: 'ACTIVE', initial_prompt: data.initial_prompt,
            started_at: event.timestamp, totals: { messages: 0, tokens: 0, cost: 0 },
            agent_types: [...new Set((data.participants || data.agents || []).map((p) => p.agent_type).filter(Boolean))],
          }], true);
          updateListState();
        }
        if (row && event.type !== 'conversation.started') {
          row.item.status = event.type === 'conversation.error' ? 'ERROR' : String(data.status || row.item.status).toUpperCase();
          fillRow(row);
          flash(row.tr);
        }
        refresh = true;
      }
    }
    if (summary) renderSummary();
    if (chart) renderMinutes();
    if (refresh) scheduleRefresh();
  }

  function matchesFilters(data) {
    const types = (data.participants || data.agents || []).map((p) => p.agent_type);
    const q = filters.q.toLowerCase();
    return (!filters.status || filters.status === 'ACTIVE')
      && (!filters.agent_type || types.includes(filters.agent_type))
      && (!q || String(data.initial_prompt || '').toLowerCase().includes(q));
  }

  /** New or changed conversations: re-read the first page (exact totals, filters applied) and merge. */
  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      try {
        const page = await request(`/api/conversations${query({ ...filters, limit: PAGE })}`, { signal: abort.signal });
        const added = page.items.filter((item) => !rows.has(item.id));
        addItems(page.items.filter((item) => rows.has(item.id)));
        addItems(added, true);
        updateListState();
      } catch (failure) {
        if (failure.name !== 'AbortError') ctx.showNotice(ctx.describe(failure));
      }
    }, 150);
  }

  return () => {
    abort.abort();
    stream.stop();
    clearTimeout(refreshTimer);
    clearTimeout(searchTimer);
  };
}

function currentMinute() {
  return Math.floor(Date.now() / 60000);
}

function shortId(id) {
  return id.length > 48 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id;
}

function flash(node) {
  node.classList.remove('flash');
  void node.offsetWidth;   // restart the animation
  node.classList.add('flash');
}
