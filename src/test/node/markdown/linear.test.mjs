// Rendering time is linear in the input. The inputs (100,000 of each special character and
// of a few mixes; the regex renderer took 12 to 23 s on some) and 100 KB fuzz documents render in
// under 100 ms per 100,000 characters: the mixes repeated 100,000 times are 300,000 to 700,000
// characters, three to seven times what a message may hold. More shapes, each as long as a
// message may be, render in under 250 ms: their output can be a DOM node for every character or
// two (50,000 one-character lines), which takes time to build whatever the renderer; those the
// regex renderer backtracked on took it 5 s to over a minute. A case is timed up to five times
// and its fastest run counts, so that a pause of a busy machine is not taken for the renderer's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from './render.mjs';
import { assertSafe } from './safety.mjs';
import { markdown, repetitions, shapes } from './corpus.mjs';

function fastest(source, limit) {
  let best = Infinity;
  for (let run = 0; run < 5 && best >= limit; run++) {
    const started = performance.now();
    renderMarkdown(source);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function timed(name, source, limit) {
  test(`${name} renders in under ${limit} ms`, (t) => {
    const ms = fastest(source, limit);
    t.diagnostic(`${ms.toFixed(1)} ms for ${source.length} characters`);
    assert.ok(ms < limit, `${ms.toFixed(1)} ms`);
  });
}

// The first renders of a process are slower (the code is not compiled yet): warm up as a page would have.
for (let seed = 1; seed <= 50; seed++) renderMarkdown(markdown(seed, 4_000));

for (const [name, source] of repetitions()) timed(name, source, 100 * Math.max(1, Math.round(source.length / 100_000)));

for (let seed = 1; seed <= 5; seed++) {
  const source = markdown(seed, 100_000);
  timed(`a 100 KB fuzz document (seed ${seed})`, source, 100);
  test(`the 100 KB fuzz document of seed ${seed} renders only safe elements, attributes and links`, () => assertSafe(renderMarkdown(source)));
}

for (const [name, source] of shapes()) timed(name, source, 250);
