// The dashboard's entry: sign-in, a two-view router (/ and /conversations/{id}), the connection
// indicator and the page-wide notice. Views are modules with mount(main, context) -> unmount().

import { ApiError, dashboardConfig, request, session } from './api.js';
import { h } from './dom.js';
import { LiveStream } from './stream.js';
import { mountOverview } from './overview.js';
import { mountConversation } from './conversation.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const indicator = document.getElementById('connection');
const signOutButton = document.getElementById('sign-out');
const notice = document.getElementById('notice');

let unmount = null;

const INDICATOR_TEXT = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', offline: 'offline' };

export function setConnection(state) {
  indicator.dataset.state = state;
  indicator.textContent = INDICATOR_TEXT[state] || state;
}

/** A page-wide message (an API error from its problem document, a lost history...). */
export function showNotice(text, kind = 'error') {
  notice.replaceChildren(h('span', null, text), h('button', {
    type: 'button', className: 'quiet', onclick: () => { notice.hidden = true; },
  }, 'Dismiss'));
  notice.dataset.kind = kind;
  notice.hidden = false;
}

export function describe(failure) {
  return failure instanceof ApiError ? failure.message : String(failure?.message || failure);
}

export function navigate(path) {
  if (path !== window.location.pathname + window.location.search) history.pushState(null, '', path);
  route();
}

function route() {
  unmount?.();
  unmount = null;
  notice.hidden = true;
  if (!session.key()) {
    signOutButton.hidden = true;
    crumbs.replaceChildren();
    unmount = mountSignIn();
    return;
  }
  signOutButton.hidden = false;
  const context = { navigate, showNotice, describe, crumbs, openStream };
  const match = /^\/conversations\/([^/]+)\/?$/.exec(window.location.pathname);
  unmount = match
    ? mountConversation(main, { ...context, id: decodeURIComponent(match[1]) })
    : mountOverview(main, context);
}

/**
 * The page's live stream: connection state in the header, sign-out on a refused key, and a
 * reload (with a notice naming what was reloaded) when the server no longer has the history
 * the stream would resume from.
 */
function openStream({ conversationId, what, onEvents, reload }) {
  return new LiveStream({
    conversationId,
    onState: setConnection,
    onAuthFailure,
    onEvents,
    onReset: (lost) => {
      if (lost) showNotice(`The live stream lost part of its history: ${what} was reloaded from the server.`, 'warning');
      reload();
    },
  }).start();
}

function onAuthFailure(failure) {
  session.signOut();
  route();
  showNotice(`Signed out: ${describe(failure)}`);
}

function mountSignIn() {
  const input = h('input', {
    type: 'password', id: 'api-key', autocomplete: 'off', spellcheck: false, required: true,
    placeholder: 'ap_live_…', 'aria-describedby': 'sign-in-help',
  });
  const error = h('p', { className: 'form-error', id: 'sign-in-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', id: 'sign-in-button' }, 'Sign in');
  const form = h('form', { className: 'sign-in card', id: 'sign-in', novalidate: true },
    h('h1', null, 'Sign in'),
    h('label', { htmlFor: 'api-key' }, 'API key with the read scope'),
    input, button, error,
    h('p', { className: 'muted', id: 'sign-in-help' },
      'The key is kept in this tab only (session storage) and sent to this service alone. Closing the tab forgets it.'));
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    const key = input.value.trim();
    error.hidden = true;
    if (!key) { fail('Paste an API key first.'); return; }
    button.disabled = true;
    try {
      await request('/api/realtime/token', { method: 'POST', body: {}, key });
      session.signIn(key);
      input.value = '';
      route();
    } catch (failure) {
      if (failure.status === 401) fail(`This key was not accepted. ${failure.detail || ''}`.trim());
      else if (failure.status === 403) fail(`This key does not have the read scope the dashboard needs. ${failure.detail || ''}`.trim());
      else fail(describe(failure));
    } finally {
      button.disabled = false;
    }
  });
  function fail(text) { error.textContent = text; error.hidden = false; }

  const wrapper = h('div', { className: 'sign-in-page' }, form);
  main.replaceChildren(wrapper);
  input.focus();

  // A public stream (STREAM_PUBLIC=true) needs no sign-in: show the live events meanwhile.
  let stream = null;
  dashboardConfig().then((config) => {
    if (!config.stream_public || session.key() || !wrapper.isConnected) return;
    const list = h('ol', { className: 'public-feed', id: 'public-feed' });
    wrapper.append(h('section', { className: 'card public-events' },
      h('h2', null, 'Live events'),
      h('p', { className: 'muted' }, 'This stream is public. Sign in to browse conversations.'), list));
    stream = new LiveStream({
      onState: setConnection,
      onEvents(events) {
        for (const event of events) {
          const data = event.data || {};
          const text = data.content ?? data.initial_prompt ?? data.error_message ?? data.status ?? '';
          list.prepend(h('li', { dataset: { eventId: event.event_id } },
            h('span', { className: 'event-type' }, event.type), ' ',
            h('span', { className: 'muted' }, data.conversation_id || ''), ' ',
            h('span', { className: 'agent' }, data.agent_name || data.agent_type || ''), ' ',
            h('span', { className: 'excerpt' }, String(text).slice(0, 160))));
        }
        while (list.children.length > 50) list.lastElementChild.remove();
      },
    }).start();
  });
  return () => { stream?.stop(); setConnection('offline'); };
}

signOutButton.addEventListener('click', () => { session.signOut(); navigate('/'); });
document.getElementById('home-link').addEventListener('click', (click) => {
  if (click.button === 0 && !click.metaKey && !click.ctrlKey) { click.preventDefault(); navigate('/'); }
});
window.addEventListener('popstate', route);
route();
