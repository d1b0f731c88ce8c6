// DOM helpers. Text always goes in through textContent; nothing here ever parses HTML.

/** h('div', {className: 'x', dataset: {id: 1}, onclick: f}, child, 'text', ...) */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name in node && name !== 'list') node[name] = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svg(tag, attributes, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  append(node, children);
  return node;
}

const integer = new Intl.NumberFormat('en-US');
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

export const format = {
  count: (n) => (n === null || n === undefined ? '—' : integer.format(Number(n))),
  cost: (n) => (n === null || n === undefined ? '—' : money.format(Number(n))),
  duration(ms) {
    if (ms === null || ms === undefined) return '—';
    const s = Number(ms) / 1000;
    if (s < 1) return `${Math.round(Number(ms))} ms`;
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
  },
  time(iso) {
    if (!iso) return '—';
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
  },
  clock(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString('en-GB');
  },
};

/** A stable colour slot (0-7) for an agent, so each participant keeps its colour everywhere. */
export function colourSlot(name) {
  let hash = 0;
  for (const char of String(name || '')) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return hash % 8;
}
