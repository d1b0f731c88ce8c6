// Seeded, reproducible inputs: Markdown-like documents built from the constructs the renderer
// knows (and breaks of them), hostile HTML and link targets, and short strings of its special
// characters, which are what reach its corner cases.

/** mulberry32: a small PRNG that gives the same sequence for the same seed everywhere. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINE_STARTS = ['', '', '', '', '# ', '## ', '###### ', '####### ', '> ', '> > ', '>', '- ', '* ', '+ ', '1. ', '2) ',
  '123456789. ', '  - ', '    ', '   ', '\t', '```', '```js', '~~~', '````', '---', '* * *', '___', '- - -', '| ', '|---|---|',
  '| --- | :---: |', '|--|'];
const TOKENS = ['word', 'agent', 'cache', 'the', 'http', 'h', 'é', '😀', '\u00a0', '\u2028', ' ', ' ', ' ', '  ', '\t',
  '**', '__', '*', '_', '~~', '~', '`', '``', '```', '[', ']', '(', ')', '](', '[x](', '[label](https://e.example/a_b)',
  '[mail](mailto:a@e.example)', '[bad](javascript:alert(1))', '[rel](/conversations/c-1)', 'https://e.example/p?q=1&r=2.',
  'http://e.example/(x)', 'https://', 'mailto:a@e.example', 'javascript:alert(1)', '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>', '&lt;b&gt;', '|', '#', '>', '-', '+', '1.', '\\', '!', '.', ',', ';', ':', '?', '"', '\'',
  '<', '>', '=', '0', '9', 'a_b', '2*3', '**bold**', '*em*', '_em_', '__strong__', '~~del~~', '`code`', '`` a`b ``'];
const SPECIALS = '`[]()*_~|#>-+.:!?/ \t\nhtps1a\u2028\u00a0\v\u3000';

/** Markdown-like text of about `size` characters. */
export function markdown(seed, size) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const parts = [];
  let length = 0;
  while (length < size) {
    let line = pick(LINE_STARTS);
    const words = Math.floor(next() * 12);
    for (let i = 0; i < words; i++) line += pick(TOKENS) + (next() < 0.5 ? ' ' : '');
    if (line.startsWith('|') && next() < 0.7) line += ' | cell |';
    parts.push(line);
    length += line.length + 1;
    if (next() < 0.2) { parts.push(''); length += 1; }
  }
  return parts.join(next() < 0.1 ? '\r\n' : '\n').slice(0, size);
}

/** A short string of the renderer's special characters (and a few ordinary ones). */
export function specials(seed, maxLength) {
  const next = random(seed);
  let text = '';
  const length = Math.floor(next() * (maxLength + 1));
  for (let i = 0; i < length; i++) text += SPECIALS[Math.floor(next() * SPECIALS.length)];
  return text;
}

const CHARACTERS = ['[', ']', '(', ')', '`', '*', '_', '~', '|', '#', '>', '-'];
const MIXES = ['[](', '**_', '`` ` ``'];

const LIMIT = 100_000; // characters of a message's content (INGEST_MAX_CONTENT_LENGTH)
const fill = (unit) => unit.repeat(Math.ceil(LIMIT / unit.length)).slice(0, LIMIT);

/**
 * The issue's inputs: 100,000 of each special character, alone and after text (where they are
 * inline, not block, syntax), and of a few mixes, both 100,000 times (300,000 to 700,000
 * characters, more than a message may hold) and to a message's 100,000 characters.
 */
export function repetitions() {
  return [...CHARACTERS, ...MIXES].flatMap((unit) => [
    [`100,000 × ${JSON.stringify(unit)}`, unit.repeat(100_000)],
    [`text, then 100,000 × ${JSON.stringify(unit)}`, `text ${unit.repeat(100_000)}`],
  ]).concat(MIXES.map((unit) => [`${JSON.stringify(unit)} to 100,000 characters`, fill(unit)]));
}

/**
 * More shapes, each as long as a message may be (100,000 characters): the units spaced and one
 * per line, openers that find no closer or find one far away, and lines built so
 * that the block patterns of the regex renderer backtrack.
 */
export function shapes() {
  const cases = [];
  for (const unit of [...CHARACTERS, ...MIXES]) {
    cases.push([`${JSON.stringify(`${unit} `)} to 100,000 characters`, fill(`${unit} `)]);
    cases.push([`${JSON.stringify(`${unit}\n`)} to 100,000 characters`, fill(`${unit}\n`)]);
  }
  for (const unit of ['[a](', '[a](b', '**a', '_a', '~~a', 'http://', 'https://a.', 'a_', '`a', '``a`']) {
    cases.push([`${JSON.stringify(unit)} to 100,000 characters`, fill(unit)]);
  }
  const spaces = ' '.repeat(LIMIT - 10);
  cases.push(['a heading of # then text', `# ${'#'.repeat(LIMIT - 10)}x`]);
  cases.push(['a heading of spaces then text', `# a${spaces}x`]);
  cases.push(['a fence line of spaces then text', `\`\`\`${spaces}!`]);
  cases.push(['a list item of spaces then a line separator', `- ${spaces}\u2028`]);
  cases.push(['a table rule of spaces then text', `a | b\n|--${spaces}x`]);
  cases.push(['a fence of 50,000 backticks over 25,000 lines', `${'`'.repeat(50_000)}\n${'x\n'.repeat(25_000)}`]);
  return cases;
}
