// The linear renderer renders exactly what the regex-based one (reference.mjs) rendered, on
// seeded random inputs small enough for the old one: strings of the special characters, which
// reach the corner cases of every construct, and Markdown-like documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, html } from './render.mjs';
import { renderMarkdown as reference } from './reference.mjs';
import { markdown, specials } from './corpus.mjs';

function assertSame(source) {
  assert.equal(html(renderMarkdown(source)), html(reference(source)), `input: ${JSON.stringify(source)}`);
}

test('30,000 strings of up to 40 special characters render as before', () => {
  for (let seed = 1; seed <= 30_000; seed++) assertSame(specials(seed, 40));
});

test('3,000 Markdown-like documents of up to 600 characters render as before', () => {
  for (let seed = 1; seed <= 3_000; seed++) assertSame(markdown(seed, 1 + (seed % 600)));
});
