// A small Markdown renderer that builds DOM nodes. Content from agents is untrusted: every piece
// of text becomes a text node, no HTML in the source is ever interpreted (it shows as written),
// and links keep only http(s) and mailto targets.
//
// Its time is linear in the input, whatever the input: one message must not freeze the page. Block
// lines are recognised by scans over the line (the one pattern left, QUOTE, reads a line a few
// times at most); inline spans by one scan from left to right whose every search for an opener
// or a closer goes through a Cursor, which reads each character once however often it is asked.
// It renders exactly what the earlier regex-based renderer rendered (the node tests compare them).

import { h } from './dom.js';

const QUOTE = /^\s{0,3}>\s?(.*)$/;
const SPACE = /\s/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const MAX_DEPTH = 8;

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
    if ((match = fenceLine(line))) {
      const { fence, language } = match;
      const code = [];
      i += 1;
      while (i < lines.length && !(lines[i].trim().startsWith(fence) && !lines[i].trim().slice(fence.length).trim())) {
        code.push(lines[i]);
        i += 1;
      }
      i += 1;
      const codeNode = h('code', language ? { className: `language-${language}` } : null, code.join('\n'));
      parent.append(h('pre', { className: 'code', dataset: language ? { language } : {} }, codeNode));
      continue;
    }
    if ((match = heading(line))) {
      parent.append(inline(h(`h${Math.min(6, match.level + 2)}`), match.text));
      i += 1;
      continue;
    }
    if (isRule(line)) { parent.append(h('hr')); i += 1; continue; }
    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const quoted = [];
      while (i < lines.length && (match = QUOTE.exec(lines[i]))) { quoted.push(match[1]); i += 1; }
      const quote = h('blockquote');
      blocks(quoted, quote, depth + 1);
      parent.append(quote);
      continue;
    }
    if ((match = listItem(line)) && depth < MAX_DEPTH) {
      const { ordered, indent } = match;
      const list = h(ordered ? 'ol' : 'ul');
      if (ordered && parseInt(match.marker, 10) !== 1) list.start = parseInt(match.marker, 10);
      while (i < lines.length) {
        const item = listItem(lines[i]);
        if (!item || item.indent !== indent || item.ordered !== ordered) break;
        const body = [item.text];
        i += 1;
        // Continuation: indented lines (nested lists, wrapped text) belong to this item.
        while (i < lines.length && lines[i].trim() && (isSpace(lines[i][0]) && (listItem(lines[i])?.indent ?? indent + 1) > indent)) {
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
    if (line.includes('|') && i + 1 < lines.length && isTableRule(lines[i + 1]) && lines[i + 1].includes('-')) {
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
    while (i < lines.length && lines[i].trim() && !fenceLine(lines[i]) && !heading(lines[i])
      && !isRule(lines[i]) && !QUOTE.test(lines[i]) && !(paragraph.length && listItem(lines[i]))) {
      paragraph.push(lines[i]);
      i += 1;
    }
    if (!paragraph.length) { paragraph.push(lines[i]); i += 1; }
    const p = h('p');
    paragraph.forEach((text, index) => {
      if (index) p.append(document.createElement('br'));
      inline(p, text.trim());
    });
    parent.append(p);
  }
}

/** The same as /\s/.test(char), without the regular expression for ASCII. */
function isSpace(char) {
  if (char === undefined) return false;
  const code = char.charCodeAt(0);
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && SPACE.test(char));
}

// Block lines, each recognised in one pass over the line.

/** Up to three leading spaces, then the index of the first other character; -1 past three. */
function indentEnd(line) {
  let i = 0;
  while (i < line.length && isSpace(line[i])) {
    if (++i > 3) return -1;
  }
  return i;
}

function runEnd(line, from, char) {
  let i = from;
  while (line[i] === char) i += 1;
  return i;
}

/** ``` or ~~~ (three or more), then only an info word ([\w#+.-]*) and white space. */
function fenceLine(line) {
  const start = indentEnd(line);
  if (start < 0 || (line[start] !== '`' && line[start] !== '~')) return null;
  const end = runEnd(line, start, line[start]);
  const language = line.slice(end).trim();
  return end - start >= 3 && /^[\w#+.-]*$/.test(language) ? { fence: line.slice(start, end), language } : null;
}

/** One to six #, white space, then the text; closing #s and white space are not part of it. */
function heading(line) {
  const start = indentEnd(line);
  if (start < 0) return null;
  const end = runEnd(line, start, '#');
  if (end === start || end - start > 6 || !isSpace(line[end])) return null;
  let from = end;
  while (from < line.length && isSpace(line[from])) from += 1;
  let to = line.length;
  while (to > from && isSpace(line[to - 1])) to -= 1;
  while (to > from && line[to - 1] === '#') to -= 1;
  while (to > from && isSpace(line[to - 1])) to -= 1;
  const text = line.slice(from, to);
  return LINE_BREAK.test(text) ? null : { level: end - start, text };
}

/** Three or more of the same -, * or _, with only white space between and around them. */
function isRule(line) {
  const start = indentEnd(line);
  const char = line[start];
  if (start < 0 || (char !== '-' && char !== '*' && char !== '_')) return false;
  let count = 0;
  for (let i = start; i < line.length; i++) {
    if (line[i] === char) count += 1;
    else if (!isSpace(line[i])) return false;
  }
  return count >= 3;
}

/** "- ", "* ", "+ " or "1. " / "1) " (up to nine digits), any indentation, then the text. */
function listItem(line) {
  let start = 0;
  while (start < line.length && isSpace(line[start])) start += 1;
  let end = start;
  if ('-*+'.includes(line[start] ?? 'x')) {
    end = start + 1;
  } else {
    while (end < line.length && line[end] >= '0' && line[end] <= '9') end += 1;
    if (end === start || end - start > 9 || (line[end] !== '.' && line[end] !== ')')) return null;
    end += 1;
  }
  if (!isSpace(line[end])) return null;
  let from = end;
  while (from < line.length && isSpace(line[from])) from += 1;
  const text = line.slice(from);
  if (LINE_BREAK.test(text)) return null;
  const marker = line.slice(start, end);
  return { indent: start, marker, ordered: /\d/.test(marker), text };
}

/** A table's delimiter row: cells of :?-{2,}:? between pipes (the outer ones optional). */
function isTableRule(line) {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|')) row = row.slice(0, -1);
  return row.split('|').every((cell) => /^:?-{2,}:?$/.test(cell.trim()));
}

function cells(line) {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
}

// Inline: `code`, [text](url), **strong**, __strong__, *em*, _em_, ~~del~~, bare URLs. A scan from
// left to right; at each character that can open one of them, the first that matches wins, in
// that order; otherwise the character is text. What a span contains is scanned in place, as a
// range of the same text, so that its searches go on from where the enclosing scan's left off.

const URL_PUNCTUATION = '.,;:!?)]';

export function inline(parent, text, depth = 0) {
  return spans(parent, new Scan(text), 0, text.length, depth);
}

function spans(parent, scan, from, to, depth) {
  const text = scan.text;
  let last = from;
  let at = from;
  while (at < to) {
    at = scan.cursor(OPENER).next(at);
    if (at >= to) break;
    const end = scan.at(at, from, to);
    if (end < 0) { at += 1; continue; }
    if (at > last) parent.append(text.slice(last, at));
    parent.append(span(scan, depth));
    last = at = end;
  }
  if (last < to) parent.append(text.slice(last, to));
  return parent;
}

/** The node for what scan.at found last. */
function span(scan, depth) {
  const { kind, start, end, href } = scan;
  switch (kind) {
    case 'code': {
      const code = scan.text.slice(start, end);
      return element('code', code.trim() || code);
    }
    case 'link': return link(href, scan, start, end, depth);
    case 'url': return link(href, null, 0, 0, depth);
    default: return depth < 4 ? spans(document.createElement(kind), scan, start, end, depth + 1) : element(kind, scan.text.slice(start, end));
  }
}

// Elements without attributes are made directly, not through h: a message can hold tens of thousands.
function element(tag, text) {
  const node = document.createElement(tag);
  node.append(document.createTextNode(text));
  return node;
}

function link(href, scan, start, end, depth) {
  let url;
  try { url = new URL(href, window.location.origin); } catch { url = null; }
  if (!url || !['http:', 'https:', 'mailto:'].includes(url.protocol)) {
    return document.createTextNode(scan ? `[${scan.text.slice(start, end)}](${href})` : href);
  }
  const a = h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer nofollow' });
  return scan ? spans(a, scan, start, end, depth + 1) : (a.append(href), a);
}

/**
 * The next position at or after a point where a character of one class occurs. Asked for
 * points that only move forward (as the scan does), it reads each character of the text at most
 * once over all its answers: an answer stays good for every later point up to it.
 */
class Cursor {
  constructor(text, pattern) {
    this.text = text;
    this.pattern = pattern;
    this.from = Infinity;
    this.found = -1;
  }

  next(from) {
    if (from < this.from || from > this.found) {
      // Every search matches one character: where test() stopped is just after it.
      this.pattern.lastIndex = from;
      this.found = this.pattern.test(this.text) ? this.pattern.lastIndex - 1 : this.text.length;
    }
    this.from = from;
    return this.found;
  }
}

// What each cursor of a scan looks for (each has its own, so that each asks only forward).
const SEARCHES = [
  /(?=[`[*_~]|https?:\/\/)./g, // OPENER
  /\*/g, /_/g, /~/g, // STAR, UNDERSCORE, TILDE
  /[*\n]/g, /[_\n]/g, // STAR_OR_BREAK, UNDERSCORE_OR_BREAK
  /[\]\n]/g, // BRACKET_OR_BREAK
  /\S/g, /[)\s]/g, /\S/g, // HREF_START, HREF_END, HREF_CLOSE
  /[\s<>"']/g, // URL_END
];
const [OPENER, STAR, UNDERSCORE, TILDE, STAR_OR_BREAK, UNDERSCORE_OR_BREAK, BRACKET_OR_BREAK, HREF_START, HREF_END,
  HREF_CLOSE, URL_END] = SEARCHES.keys();
const CLOSER = { '*': STAR, _: UNDERSCORE, '~': TILDE };
const WORD = /\w/;

/**
 * What can start at a position of a range [from, to) of one text: at(i, from, to) gives where it
 * ends (-1 for nothing) and leaves its kind, the range of its content and a link's target in
 * kind, start, end and href. Every search for a closer goes through a Cursor.
 */
class Scan {
  constructor(text) {
    this.text = text;
    this.cursors = [];
    this.closingTicks = null;
    this.linkTail = { close: -1, to: -1, end: -1 };
    this.kind = null;
    this.start = 0;
    this.end = 0;
    this.href = null;
  }

  cursor(search) {
    return (this.cursors[search] ??= new Cursor(this.text, SEARCHES[search]));
  }

  at(i, from, to) {
    switch (this.text[i]) {
      case '`': return this.code(i, to);
      case '[': return this.link(i, to);
      case '*':
      case '_': {
        const end = this.pair(i, to, this.text[i], 'strong');
        return end >= 0 ? end : this.single(i, from, to, this.text[i]);
      }
      case '~': return this.pair(i, to, '~', 'del');
      default: return this.url(i, to);
    }
  }

  found(kind, start, end, href, after) {
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.href = href;
    return after;
  }

  /** `code`: a run of backticks closed by the next run of exactly as many; the text between as written. */
  code(i, to) {
    this.closingTicks ??= closingTicks(this.text);
    const close = this.closingTicks[i];
    if (!close) return -1;
    // Read only when there is a closer: the span then takes in the whole run.
    const open = runEnd(this.text, i, '`');
    return close + (open - i) <= to ? this.found('code', open, close, null, close + (open - i)) : -1;
  }

  /** [label](href): a label without ] or line break, then (, optional white space, a target, ). */
  link(i, to) {
    const close = this.cursor(BRACKET_OR_BREAK).next(i + 1);
    if (close === i + 1 || close >= to || this.text[close] !== ']') return -1;
    const tail = this.linkTail;
    if (tail.close !== close || tail.to !== to) Object.assign(tail, { close, to }, this.hrefAfter(close, to));
    return tail.end < 0 ? -1 : this.found('link', i + 1, close, tail.href, tail.end);
  }

  hrefAfter(close, to) {
    if (close + 1 >= to || this.text[close + 1] !== '(') return { end: -1 };
    const start = this.cursor(HREF_START).next(close + 2);
    const end = Math.min(this.cursor(HREF_END).next(start), to);
    if (end <= start) return { end: -1 };
    const paren = this.cursor(HREF_CLOSE).next(end);
    return paren < to && this.text[paren] === ')' ? { href: this.text.slice(start, end), end: paren + 1 } : { end: -1 };
  }

  /** **x**, __x__, ~~x~~: doubled, then no white space, then text up to the first of that character, doubled. */
  pair(i, to, char, tag) {
    const text = this.text;
    if (i + 2 >= to || text[i + 1] !== char || text[i + 2] === char || isSpace(text[i + 2])) return -1;
    const close = this.cursor(CLOSER[char]).next(i + 2);
    return close + 1 < to && text[close + 1] === char ? this.found(tag, i + 2, close, null, close + 2) : -1;
  }

  /** *x*, _x_: then no white space, then text up to the first of that character on the line; _ only between non-word characters. */
  single(i, from, to, char) {
    const text = this.text;
    const bounded = char === '_';
    if (i + 1 >= to || text[i + 1] === char || isSpace(text[i + 1])) return -1;
    if (bounded && i > from && WORD.test(text[i - 1])) return -1;
    const close = this.cursor(bounded ? UNDERSCORE_OR_BREAK : STAR_OR_BREAK).next(i + 1);
    if (close >= to || text[close] !== char || (bounded && close + 1 < to && WORD.test(text[close + 1]))) return -1;
    return this.found('em', i + 1, close, null, close + 1);
  }

  /** http(s)://, then up to white space, < > " or ', without the punctuation that ends a sentence. */
  url(i, to) {
    const text = this.text;
    const start = text.startsWith('https://', i) ? i + 8 : text.startsWith('http://', i) ? i + 7 : -1;
    if (start < 0 || start >= to) return -1;
    // Each character is looked at here once: a stretch given back is punctuation, which holds no "h".
    let end = Math.min(this.cursor(URL_END).next(start), to);
    while (end > start && URL_PUNCTUATION.includes(text[end - 1])) end -= 1;
    return end > start ? this.found('url', i, end, text.slice(i, end), end) : -1;
  }
}

/**
 * For every backtick of the text, where its code span closes: counting the run from that
 * backtick on, the start of the next run of exactly that length (0 when there is none). One
 * pass from the right, remembering the nearest run of each length.
 */
function closingTicks(text) {
  const runs = [];
  for (let i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i)) {
    const end = runEnd(text, i, '`');
    runs.push(i, end - i);
    i = end;
  }
  const closes = new Int32Array(text.length);
  const nearest = new Map();
  for (let r = runs.length - 2; r >= 0; r -= 2) {
    const start = runs[r];
    const length = runs[r + 1];
    for (let k = 0; k < length; k++) closes[start + k] = nearest.get(length - k) ?? 0;
    nearest.set(length, start);
  }
  return closes;
}
