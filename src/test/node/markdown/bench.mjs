// Before against after: times the regex renderer (reference.mjs) and the dashboard's renderer on
// the inputs, more shapes and 100 KB fuzz documents, each case in a fresh worker (so that
// one renderer's state cannot slow the other) and stopped at a cap (the old one takes minutes on some).
//   node src/test/node/markdown/bench.mjs [capSeconds=60, 0: the dashboard's renderer only] [filter]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { markdown, repetitions, shapes } from './corpus.mjs';

const RENDERERS = { before: './reference.mjs', after: '../../../main/resources/static/assets/markdown.js' };

if (isMainThread) {
  const cap = Number(process.argv[2] ?? 60) * 1000;
  const filter = process.argv[3] ?? '';
  const cases = [...repetitions(), ...shapes()].map(([name]) => name)
    .concat([1, 2, 3].map((seed) => `fuzz 100 KB, seed ${seed}`))
    .filter((name) => name.includes(filter));
  console.log(`node ${process.version}, cap ${cap / 1000} s`);
  console.log(['case', 'before ms', 'after ms', 'before/after'].join('\t'));
  for (const name of cases) {
    const before = cap > 0 ? await time('before', name, cap) : NaN;
    const after = await time('after', name, 60_000);
    const ratio = Number.isNaN(before) ? '' : Number.isFinite(before) ? (before / after).toFixed(1) : `>${(cap / after).toFixed(0)}`;
    const shown = Number.isNaN(before) ? '' : Number.isFinite(before) ? before.toFixed(1) : `>${cap}`;
    console.log([name, shown, after.toFixed(1), ratio].join('\t'));
  }
} else {
  const { install } = await import('./dom.mjs');
  install();
  const { renderMarkdown } = await import(RENDERERS[workerData.renderer]);
  const { name } = workerData;
  const fuzz = /^fuzz 100 KB, seed (\d+)$/.exec(name);
  const input = fuzz ? markdown(Number(fuzz[1]), 100_000) : new Map([...repetitions(), ...shapes()]).get(name);
  for (let i = 0; i < 20; i++) renderMarkdown(markdown(100 + i, 2_000));
  // The fastest of three runs (of one, when a run takes over a second): a busy machine's pauses are not the renderer's.
  let best = Infinity;
  for (let run = 0; run < 3 && (run === 0 || best < 1_000); run++) {
    const started = performance.now();
    renderMarkdown(input);
    best = Math.min(best, performance.now() - started);
  }
  parentPort.postMessage(best);
}

function time(renderer, name, cap) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { renderer, name } });
    const timer = setTimeout(() => worker.terminate().then(() => resolve(Infinity)), cap);
    worker.once('message', (ms) => { clearTimeout(timer); worker.terminate().then(() => resolve(ms)); });
    worker.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}
