// The live stream: an EventSource on /api/realtime/stream that the page reconnects itself, so
// every reconnect resumes exactly after the last event it received (last_event_id), with a
// fresh stream token when one is needed. Events are handed on in batches, once per animation
// frame, so a burst of hundreds per second costs one render per frame.

import { ApiError, dashboardConfig, query, request, session } from './api.js';

const RENEW_AT = 0.75;          // renew a token when three quarters of its lifetime are over
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 8000;
const OFFLINE_AFTER = 3;        // failed attempts in a row before the indicator says offline

export class LiveStream {
  /**
   * @param options.conversationId follow one conversation only (stream filter)
   * @param options.onEvents      called with an array of events, in offset order
   * @param options.onReset       called with true when the server lost history (recovered: false),
   *                              with false after a reconnect that had nothing to resume after
   * @param options.onState       'connecting' | 'live' | 'reconnecting' | 'offline'
   * @param options.onAuthFailure called with an ApiError when the key is no longer accepted
   */
  constructor({ conversationId, onEvents, onReset, onState, onAuthFailure }) {
    Object.assign(this, { conversationId, onEvents, onReset, onState, onAuthFailure });
    this.lastEventId = null;
    this.pending = [];
    this.scheduled = false;
    this.source = null;
    this.failures = 0;
    this.stopped = false;
    this.onOnline = () => this.reconnectNow();
  }

  start() {
    window.addEventListener('online', this.onOnline);
    this.state('connecting');
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
    clearTimeout(this.renewTimer);
    this.source?.close();
    this.replacing?.close();
    this.source = this.replacing = null;
  }

  state(state) {
    if (this.current !== state) {
      this.current = state;
      this.onState?.(state);
    }
  }

  async streamUrl() {
    const { stream_public: open } = await dashboardConfig();
    const params = { conversation_id: this.conversationId, last_event_id: this.lastEventId };
    if (!open || session.key()) {
      const token = await request('/api/realtime/token', {
        method: 'POST', body: this.conversationId ? { conversation_id: this.conversationId } : {},
      }).catch((failure) => {
        if (open && failure.status === 401) return null;   // a public stream needs no token
        throw failure;
      });
      if (token) {
        params.access_token = token.token;
        this.scheduleRenewal(token.expires_at);
      }
    }
    return `/api/realtime/stream${query(params)}`;
  }

  async connect() {
    let url;
    try {
      url = await this.streamUrl();
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 401 || failure.status === 403)) {
        this.stop();
        this.state('offline');
        this.onAuthFailure?.(failure);
        return;
      }
      this.retry();
      return;
    }
    if (this.stopped) return;
    this.open(url, false);
  }

  /** Opens a source; when it replaces a live one (token renewal) the old one closes once the new is connected. */
  open(url, replacing) {
    const source = new EventSource(url);
    if (replacing) this.replacing = source; else this.source = source;
    source.onmessage = (message) => this.receive(source, message);
    source.onerror = () => {
      source.close();
      if (source === this.replacing) { this.replacing = null; return; }   // keep the current one
      if (source !== this.source || this.stopped) return;
      this.source = null;
      this.retry();
    };
  }

  receive(source, message) {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    if (event.type === 'connected') {
      const renewal = source === this.replacing;
      if (renewal) {
        this.source?.close();
        this.source = source;
        this.replacing = null;
      }
      this.failures = 0;
      this.state('live');
      if (!renewal) {
        // History lost on the server (retention, an offset it never had): say so and reload.
        if (event.recovered === false && this.lastEventId !== null) this.onReset?.(true);
        // Nothing received yet, so nothing to resume after: what passed meanwhile comes from a reload.
        else if (this.lastEventId === null && this.connectedBefore) this.onReset?.(false);
      }
      this.connectedBefore = true;
      return;
    }
    if (event.type === 'key_revoked') {
      // The server ended the stream for good: reconnecting with this key would be refused.
      this.stop();
      this.state('offline');
      this.onAuthFailure?.(new ApiError(401, { title: 'Key revoked', detail: event.detail }));
      return;
    }
    if (source !== this.source && source !== this.replacing) return;
    // Two sources overlap briefly during a renewal: an offset is applied once, in order.
    if (this.lastEventId !== null && event.event_id <= this.lastEventId) return;
    this.lastEventId = event.event_id;
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      const flush = () => {
        this.scheduled = false;
        const batch = this.pending;
        this.pending = [];
        if (batch.length && !this.stopped) this.onEvents(batch);
      };
      // Hidden tabs get no animation frames: fall back to a timer there.
      if (document.hidden) setTimeout(flush, 250); else requestAnimationFrame(flush);
    }
  }

  retry() {
    if (this.stopped) return;
    this.failures += 1;
    this.state(this.failures >= OFFLINE_AFTER || !navigator.onLine ? 'offline' : 'reconnecting');
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay * (0.8 + Math.random() * 0.4));
  }

  reconnectNow() {
    if (this.stopped || this.source) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  scheduleRenewal(expiresAt) {
    clearTimeout(this.renewTimer);
    const lifetime = new Date(expiresAt).getTime() - Date.now();
    if (!(lifetime > 0)) return;
    this.renewTimer = setTimeout(() => this.renew(), Math.max(1000, lifetime * RENEW_AT));
  }

  /** A new token and a second source resuming after the last event; the old one closes when it is connected. */
  async renew() {
    if (this.stopped || !this.source) return;
    try {
      const url = await this.streamUrl();
      if (!this.stopped && this.source) this.open(url, true);
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 401 || failure.status === 403)) {
        this.stop();
        this.state('offline');
        this.onAuthFailure?.(failure);
      } else {
        this.renewTimer = setTimeout(() => this.renew(), 5000);
      }
    }
  }
}
