// Rendered output for ordinary Markdown, recorded from the original regex-based renderer: any
// rewrite must produce the same DOM, quirks included (a strong span cannot contain a star).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, html } from './render.mjs';

const GOLDEN = [
  ["paragraph with inline styles","Plain text with **strong**, __also strong__, *em*, _em_, ~~gone~~ and `code`.","<p>Plain text with <strong>strong</strong>, <strong>also strong</strong>, <em>em</em>, <em>em</em>, <del>gone</del> and <code>code</code>.</p>"],
  ["lines of one paragraph become breaks","First line\nsecond line\n\nNext paragraph","<p>First line<br>second line</p><p>Next paragraph</p>"],
  ["link and bare URL","See [the docs](https://example.com/docs?q=1#top) or https://example.com/path, then stop.","<p>See <a href=\"https://example.com/docs?q=1#top\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">the docs</a> or <a href=\"https://example.com/path\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">https://example.com/path</a>, then stop.</p>"],
  ["mailto and relative links","Write to [us](mailto:team@example.com); the [page](/conversations/c-1) is local.","<p>Write to <a href=\"mailto:team@example.com\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">us</a>; the <a href=\"https://dashboard.example/conversations/c-1\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">page</a> is local.</p>"],
  ["strong and em do not nest across stars (as before)","**bold with *em* and `code` inside** and *em with **bold***","<p>*<em>bold with </em>em* and <code>code</code> inside** and <em>em with </em><em>bold</em>**</p>"],
  ["code span with backticks","Use ``a `tick` here`` and ` padded `.","<p>Use <code>a `tick` here</code> and <code>padded</code>.</p>"],
  ["snake_case stays text, __x__ and 2*3*4 do not","call my_function_name and __init__ or 2*3*4","<p>call my_function_name and <strong>init</strong> or 2<em>3</em>4</p>"],
  ["headings","# One\n## Two ##\n###### Six\n####### seven","<h3>One</h3><h4>Two</h4><h6>Six</h6><p>####### seven</p>"],
  ["fenced code keeps text as written","```python\ndef f(x):\n    return x * 2  # **not bold**\n```\n\n~~~\nplain\n~~~","<pre class=\"code\" data-language=\"python\"><code class=\"language-python\">def f(x):\n    return x * 2  # **not bold**</code></pre><pre class=\"code\"><code>plain</code></pre>"],
  ["unclosed fence runs to the end","```\nopen\n\nstill code","<pre class=\"code\"><code>open\n\nstill code</code></pre>"],
  ["lists","- one\n- two\n  - nested *em*\n  - nested two\n- three\n\n3. third\n4. fourth\n\n* star\n+ plus","<ul><li>one</li><li><p>two</p><ul><li>nested <em>em</em></li><li>nested two</li></ul></li><li>three</li></ul><ol start=\"3\"><li>third</li><li>fourth</li></ol><ul><li>star</li><li>plus</li></ul>"],
  ["list item with wrapped text","- first item\n  continues here\n- second","<ul><li><p>first item<br>continues here</p></li><li>second</li></ul>"],
  ["quotes","> quoted **text**\n> more\n>\n> > nested","<blockquote><p>quoted <strong>text</strong><br>more</p><blockquote><p>nested</p></blockquote></blockquote>"],
  ["table","| Name | Value |\n| --- | :---: |\n| a | `1` |\n| **b** | 2 |\n\nafter","<div class=\"table-wrap\"><table class=\"md-table\"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody><tr><td>a</td><td><code>1</code></td></tr><tr><td><strong>b</strong></td><td>2</td></tr></tbody></table></div><p>after</p>"],
  ["rules","---\n\n* * *\n\n___","<hr><hr><hr>"],
  ["a typical agent answer","## Plan\n\n1. Read `src/main.rs`\n2. Fix the **bug** in [parser](https://github.com/o/r/blob/main/parser.rs#L10)\n\n```rust\nfn main() {}\n```\n\n> Note: see https://docs.rs/regex.\n\n| Step | Status |\n|------|--------|\n| 1 | done |","<h4>Plan</h4><ol><li>Read <code>src/main.rs</code></li><li>Fix the <strong>bug</strong> in <a href=\"https://github.com/o/r/blob/main/parser.rs#L10\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">parser</a></li></ol><pre class=\"code\" data-language=\"rust\"><code class=\"language-rust\">fn main() {}</code></pre><blockquote><p>Note: see <a href=\"https://docs.rs/regex\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">https://docs.rs/regex</a>.</p></blockquote><div class=\"table-wrap\"><table class=\"md-table\"><thead><tr><th>Step</th><th>Status</th></tr></thead><tbody><tr><td>1</td><td>done</td></tr></tbody></table></div>"],
  ["windows line endings","a\r\nb\r\n\r\n- c\r\n- d","<p>a<br>b</p><ul><li>c</li><li>d</li></ul>"],
  ["empty","",""],
  ["only spaces","   \n\t\n",""],
];

for (const [name, source, expected] of GOLDEN) {
  test(name, () => assert.equal(html(renderMarkdown(source)), expected));
}
