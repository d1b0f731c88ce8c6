// What "untrusted content is only ever text" means for a rendered tree, checked on any output.
import assert from 'node:assert/strict';
import { elements } from './render.mjs';

const TAGS = new Set(['P', 'BR', 'STRONG', 'EM', 'DEL', 'CODE', 'PRE', 'A', 'H3', 'H4', 'H5', 'H6',
  'UL', 'OL', 'LI', 'BLOCKQUOTE', 'HR', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'DIV']);
const ATTRIBUTES = new Set(['class', 'href', 'target', 'rel', 'start']);
const SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** Only the renderer's own elements and attributes, no handlers, and links only to http(s)/mailto. */
export function assertSafe(fragment) {
  for (const element of elements(fragment)) {
    assert.ok(TAGS.has(element.tagName), `unexpected element <${element.tagName}>`);
    for (const name of element.attributes.keys()) assert.ok(ATTRIBUTES.has(name), `unexpected attribute ${name} on <${element.tagName}>`);
    assert.deepEqual(Object.keys(element.dataset).filter((key) => key !== 'language'), []);
    if ('language' in element.dataset) assert.match(element.dataset.language, /^[\w#+.-]+$/);
    assert.equal(element.listeners.length, 0, 'no event handler');
    if (element.tagName === 'A') {
      assert.ok(SCHEMES.has(new URL(element.getAttribute('href')).protocol), `unsafe link ${element.getAttribute('href')}`);
      assert.equal(element.getAttribute('rel'), 'noopener noreferrer nofollow');
    }
  }
}
