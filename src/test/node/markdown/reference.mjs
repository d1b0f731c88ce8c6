// The dashboard's renderer as it was before it was made linear (regular expressions that
// backtrack: 100,000 `[` took 28 s), kept to show that the linear one renders the same DOM on
// inputs small enough for this one (equivalence.test.mjs) and to measure before against after
// (bench.mjs). Not used by the dashboard.

import { h } from '../../../main/resources/static/assets/dom.js';

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w#+.-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  blocks(String(text ?? '').replace(/\r\n?/g, '\n').split('\n'), fragment, 0);
  return fragment;
}

function blocks(lines, parent, depth) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i += 1; continue; }
    let match;
    if ((match = FENCE.exec(line))) {
      const fence = match[1];
      const code = [];
      i += 1;
      while (i < lines.length && !(lines[i].trim().startsWith(fence[0].repeat(fence.length)) && !lines[i].trim().slice(fence.length).trim())) {
        code.push(lines[i]);
        i += 1;
      }
      i += 1;
      const codeNode = h('code', match[2] ? { className: `language-${match[2]}` } : null, code.join('\n'));
      parent.append(h('pre', { className: 'code', dataset: match[2] ? { language: match[2] } : {} }, codeNode));
      continue;
    }
    if ((match = HEADING.exec(line))) {
      parent.append(inline(h(`h${Math.min(6, match[1].length + 2)}`), match[2]));
      i += 1;
      continue;
    }
    if (RULE.test(line)) { parent.append(h('hr')); i += 1; continue; }
    if (QUOTE.test(line) && depth < 8) {
      const quoted = [];
      while (i < lines.length && (match = QUOTE.exec(lines[i]))) { quoted.push(match[1]); i += 1; }
      const quote = h('blockquote');
      blocks(quoted, quote, depth + 1);
      parent.append(quote);
      continue;
    }
    if ((match = ITEM.exec(line)) && depth < 8) {
      const ordered = /\d/.test(match[2]);
      const list = h(ordered ? 'ol' : 'ul');
      if (ordered && parseInt(match[2], 10) !== 1) list.start = parseInt(match[2], 10);
      const indent = match[1].length;
      while (i < lines.length) {
        const item = ITEM.exec(lines[i]);
        if (!item || item[1].length !== indent || /\d/.test(item[2]) !== ordered) break;
        const body = [item[3]];
        i += 1;
        // Continuation: indented lines (nested lists, wrapped text) belong to this item.
        while (i < lines.length && lines[i].trim() && (/^\s/.test(lines[i]) && (ITEM.exec(lines[i])?.[1].length ?? indent + 1) > indent)) {
          body.push(lines[i].slice(Math.min(indent + 2, lines[i].search(/\S/))));
          i += 1;
        }
        const li = h('li');
        if (body.length === 1) inline(li, body[0]); else blocks(body, li, depth + 1);
        list.append(li);
      }
      parent.append(list);
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const table = h('table', { className: 'md-table' });
      const row = (cells, tag) => h('tr', null, cells.map((cell) => inline(h(tag), cell.trim())));
      table.append(h('thead', null, row(cells(line), 'th')));
      const body = h('tbody');
      i += 2;
      while (i < lines.length && lines[i].includes('|') && lines[i].trim()) { body.append(row(cells(lines[i]), 'td')); i += 1; }
      table.append(body);
      parent.append(h('div', { className: 'table-wrap' }, table));
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !FENCE.test(lines[i]) && !HEADING.test(lines[i])
      && !RULE.test(lines[i]) && !QUOTE.test(lines[i]) && !(paragraph.length && ITEM.test(lines[i]))) {
      paragraph.push(lines[i]);
      i += 1;
    }
    if (!paragraph.length) { paragraph.push(lines[i]); i += 1; }
    const p = h('p');
    paragraph.forEach((text, index) => {
      if (index) p.append(h('br'));
      inline(p, text.trim());
    });
    parent.append(p);
  }
}

function cells(line) {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
}

// `code`, [text](url), **strong**, __strong__, *em*, _em_, ~~del~~, bare URLs.
const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)|\*\*(?=\S)([^*]+?)\*\*|__(?=\S)([^_]+?)__|\*(?=\S)([^*\n]+?)\*|(?<![\w])_(?=\S)([^_\n]+?)_(?![\w])|~~(?=\S)([^~]+?)~~|(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/g;

export function inline(parent, text, depth = 0) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(text.slice(last, match.index));
    last = match.index + match[0].length;
    const [, ticks, code, label, href, strong1, strong2, em1, em2, del, url] = match;
    if (ticks) parent.append(h('code', null, code.trim() || code));
    else if (label) parent.append(link(href, label, depth));
    else if (strong1 || strong2) parent.append(nested('strong', strong1 || strong2, depth));
    else if (em1 || em2) parent.append(nested('em', em1 || em2, depth));
    else if (del) parent.append(nested('del', del, depth));
    else if (url) parent.append(link(url, null, depth));
  }
  if (last < text.length) parent.append(text.slice(last));
  return parent;
}

function nested(tag, text, depth) {
  const node = h(tag);
  return depth < 4 ? inline(node, text, depth + 1) : (node.append(text), node);
}

function link(href, label, depth) {
  let url;
  try { url = new URL(href, window.location.origin); } catch { url = null; }
  if (!url || !['http:', 'https:', 'mailto:'].includes(url.protocol)) {
    return document.createTextNode(label ? `[${label}](${href})` : href);
  }
  const a = h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer nofollow' });
  if (label) inline(a, label, depth + 1); else a.append(href);
  return a;
}
