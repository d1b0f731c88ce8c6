// A windowed list: only the items near the viewport are in the DOM (a few dozen, whatever the
// length), positioned by measured heights (estimated until first seen).

import { h } from './dom.js';

const ESTIMATE = 110;
const OVERSCAN_PX = 600;

export class VirtualList {
  constructor({ className, render, keyOf, onNearEnd }) {
    this.render = render;
    this.keyOf = keyOf;
    this.onNearEnd = onNearEnd;
    this.items = [];
    this.heights = new Map();      // key -> measured height
    this.offsets = [0];
    this.nodes = new Map();        // key -> rendered node (bounded cache)
    this.inner = h('div', { className: 'virtual-window' });
    this.spacer = h('div', { className: 'virtual-spacer' }, this.inner);
    this.element = h('div', { className: `virtual-scroller ${className || ''}` }, this.spacer);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.element);
  }

  setItems(items, { follow = false } = {}) {
    const stick = follow && (this.items.length === 0 || this.atBottom());
    this.items = items;
    this.recompute();
    this.update();
    if (stick) this.scrollToBottom();
  }

  atBottom() {
    const el = this.element;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  }

  scrollToBottom() {
    this.element.scrollTop = this.element.scrollHeight;
    this.update();
  }

  recompute() {
    const offsets = new Array(this.items.length + 1);
    offsets[0] = 0;
    for (let i = 0; i < this.items.length; i += 1) {
      offsets[i + 1] = offsets[i] + (this.heights.get(this.keyOf(this.items[i])) ?? ESTIMATE);
    }
    this.offsets = offsets;
    this.spacer.style.height = `${offsets[this.items.length]}px`;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.update(); });
  }

  /** The first index whose bottom edge lies below y. */
  indexAt(y) {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.offsets[mid + 1] <= y) low = mid + 1; else high = mid;
    }
    return low;
  }

  update() {
    for (let pass = 0; pass < 3; pass += 1) {
      const top = this.element.scrollTop;
      const bottom = top + this.element.clientHeight;
      const first = this.indexAt(Math.max(0, top - OVERSCAN_PX));
      const last = Math.min(this.items.length, this.indexAt(bottom + OVERSCAN_PX) + 1);
      const nodes = [];
      for (let i = first; i < last; i += 1) {
        const key = this.keyOf(this.items[i]);
        let node = this.nodes.get(key);
        if (!node) {
          node = this.render(this.items[i]);
          this.nodes.set(key, node);
        }
        nodes.push(node);
      }
      this.inner.style.transform = `translateY(${this.offsets[first]}px)`;
      this.inner.replaceChildren(...nodes);
      this.trimCache();
      // Measure what is shown; when estimates were off, lay out again (anchored on the first item).
      let changed = false;
      nodes.forEach((node, index) => {
        const key = this.keyOf(this.items[first + index]);
        const height = node.offsetHeight;
        if (height && this.heights.get(key) !== height) { this.heights.set(key, height); changed = true; }
      });
      this.range = [first, last];
      if (!changed) break;
      const anchor = this.offsets[first];
      this.recompute();
      if (top > 0 && first > 0) this.element.scrollTop = top + (this.offsets[first] - anchor);
    }
    if (this.onNearEnd && this.items.length
      && this.element.scrollTop + this.element.clientHeight > this.offsets[this.items.length] - 2000) {
      this.onNearEnd();
    }
  }

  trimCache() {
    if (this.nodes.size <= 400) return;
    for (const key of this.nodes.keys()) {
      if (this.nodes.size <= 300) break;
      if (!this.nodes.get(key).isConnected) this.nodes.delete(key);
    }
  }

  /** Forget rendered nodes (the rendering mode changed). */
  invalidate() {
    this.nodes.clear();
    this.update();
  }

  destroy() {
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
  }
}
