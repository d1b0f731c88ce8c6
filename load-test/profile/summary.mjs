// Sums up a JFR recording's CPU samples (jdk.ExecutionSample) by where the time goes:
//   - self: the library the sampled (top) frame belongs to;
//   - inclusive: share of samples with a given agentstream method anywhere on the stack.
//
//   jfr print --json --events jdk.ExecutionSample app.jfr | node load-test/profile/summary.mjs
import { createInterface } from 'node:readline';

const groups = [
  ['io.agentstream.', 'agentstream'],
  ['io.netty.', 'Netty (HTTP, sockets)'],
  ['reactor.netty.', 'Reactor Netty'],
  ['reactor.', 'Reactor operators'],
  ['io.r2dbc.postgresql.', 'R2DBC PostgreSQL driver'],
  ['io.r2dbc.', 'R2DBC SPI, pool and proxy'],
  ['tools.jackson.', 'Jackson'],
  ['com.fasterxml.jackson.', 'Jackson'],
  ['org.hibernate.validator.', 'Hibernate Validator'],
  ['jakarta.validation.', 'Hibernate Validator'],
  ['org.springframework.r2dbc.', 'Spring R2DBC'],
  ['org.springframework.transaction.', 'Spring transactions'],
  ['org.springframework.web.', 'Spring WebFlux'],
  ['org.springframework.http.', 'Spring WebFlux'],
  ['org.springframework.', 'Spring (other)'],
  ['io.micrometer.', 'Micrometer'],
  ['ch.qos.logback.', 'Logback'],
  ['org.slf4j.', 'Logback'],
  ['io.github.bucket4j.', 'Bucket4j'],
  ['java.util.regex.', 'JDK regex'],
  ['java.time.', 'JDK time'],
  ['java.', 'JDK (other)'],
  ['jdk.', 'JDK (other)'],
  ['sun.', 'JDK (other)'],
];
// JFR writes class names with slashes (java/util/HashMap).
const className = (frame) => frame.method.type.name.replaceAll('/', '.');
const group = (type) => (groups.find(([prefix]) => type.startsWith(prefix)) ?? [null, 'other'])[1];

let text = '';
const lines = createInterface({ input: process.stdin });
for await (const line of lines) text += line + '\n';
const events = JSON.parse(text).recording.events;

const self = new Map();
const inclusive = new Map();
for (const event of events) {
  const frames = event.values.stackTrace?.frames ?? [];
  if (frames.length === 0) continue;
  const top = className(frames[0]);
  self.set(group(top), (self.get(group(top)) ?? 0) + 1);
  const seen = new Set();
  for (const frame of frames) {
    const type = className(frame);
    if (!type.startsWith('io.agentstream.') || type.includes('$$Lambda')) continue;
    const name = `${type.replace('io.agentstream.', '')}.${frame.method.name}`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
}
const total = events.length;
const pct = (n) => `${((100 * n) / total).toFixed(1)}%`;
console.log(`CPU samples: ${total}`);
console.log('\n| where the sampled frame is (self) | samples | share |\n|---|---|---|');
[...self].sort((a, b) => b[1] - a[1]).forEach(([name, n]) => console.log(`| ${name} | ${n} | ${pct(n)} |`));
console.log('\n| agentstream method on the stack (inclusive, top 15) | samples | share |\n|---|---|---|');
[...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 15).forEach(([name, n]) => console.log(`| ${name} | ${n} | ${pct(n)} |`));
