// Untrusted content is shown as text and never runs or injects anything: the cases of the
// dashboard's browser test (DashboardIT), and more, against the renderer alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, elements } from './render.mjs';
import { assertSafe } from './safety.mjs';

function render(source) {
  const fragment = renderMarkdown(source);
  assertSafe(fragment);
  return fragment;
}

const links = (fragment) => [...elements(fragment)].filter((e) => e.tagName === 'A').map((e) => e.getAttribute('href'));

test('the browser test\'s hostile message: HTML shows as written, the javascript: link as text, bold still bold', () => {
  const hostile = '<img src=x onerror=alert(1)> and <script>alert(2)</script> '
    + '[click](javascript:alert(3)) <a href="javascript:alert(4)">a</a> **bold**\n\n```html\n<script>alert(5)</script>\n```';
  const fragment = render(hostile);
  const text = fragment.textContent;
  assert.ok(text.includes('<img src=x onerror=alert(1)>'));
  assert.ok(text.includes('<script>alert(2)</script>'));
  assert.ok(text.includes('[click](javascript:alert(3))'));
  assert.ok(text.includes('<a href="javascript:alert(4)">a</a>'));
  assert.ok(text.includes('<script>alert(5)</script>'));
  assert.deepEqual(links(fragment), []);
  assert.deepEqual([...elements(fragment)].filter((e) => e.tagName === 'STRONG').map((e) => e.textContent), ['bold']);
});

test('a live message of HTML alone is text', () => {
  const fragment = render('<img src=y onerror=alert(7)>');
  assert.equal(fragment.textContent, '<img src=y onerror=alert(7)>');
  assert.deepEqual([...elements(fragment)].map((e) => e.tagName), ['P']);
});

test('links keep only http, https and mailto targets; others are shown as written', () => {
  for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'javascript://%0aalert(1)', 'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>', 'data:text/html;base64,PHNjcmlwdD4=', 'file:///etc/passwd', 'blob:https://x/y']) {
    const fragment = render(`[x](${href})`);
    assert.deepEqual(links(fragment), [], href);
    assert.equal(fragment.textContent, `[x](${href})`);
  }
  assert.deepEqual(links(render('[a](https://example.com) [b](http://example.com) [c](mailto:a@example.com)')),
    ['https://example.com/', 'http://example.com/', 'mailto:a@example.com']);
});

test('bare javascript: and data: text never becomes a link', () => {
  const fragment = render('javascript:alert(1) data:text/html,<b>x</b> https://ok.example/a');
  assert.deepEqual(links(fragment), ['https://ok.example/a']);
  assert.equal(fragment.textContent, 'javascript:alert(1) data:text/html,<b>x</b> https://ok.example/a');
});

test('a quote in a link target cannot leave the attribute', () => {
  const fragment = render('[x](https://a.example/"onmouseover="alert(1)) https://b.example/\'onfocus=\'x');
  for (const href of links(fragment)) assert.ok(!href.includes('"') && !href.includes('\''), href);
});

test('HTML inside labels, code, headings, lists, quotes, tables and fence info stays text', () => {
  const source = [
    '# <script>alert(1)</script>',
    '[<img src=x onerror=alert(2)>](https://a.example)',
    '`<iframe src=javascript:alert(3)>`',
    '- <svg onload=alert(4)>',
    '> <body onload=alert(5)>',
    '| <b>h</b> | x |', '| --- | --- |', '| <style>*{}</style> | y |',
    '',
    '```js" onload="alert(6)',
    '<script>alert(7)</script>',
    '```',
  ].join('\n');
  const fragment = render(source);
  for (const piece of ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '<iframe src=javascript:alert(3)>',
    '<svg onload=alert(4)>', '<body onload=alert(5)>', '<b>h</b>', '<style>*{}</style>', '<script>alert(7)</script>']) {
    assert.ok(fragment.textContent.includes(piece), piece);
  }
});

test('entities are not decoded', () => {
  assert.equal(render('&lt;script&gt;alert(1)&lt;/script&gt; &#106;avascript:').textContent,
    '&lt;script&gt;alert(1)&lt;/script&gt; &#106;avascript:');
});
