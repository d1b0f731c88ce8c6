// Connects to the stream with a real EventSource, which reconnects by itself and sends
// Last-Event-ID. Prints one line per lifecycle event ("open N", "error N") so the test can
// act between them, and finally one JSON line with everything received.
// Usage: node client.mjs <stream url> <api key> <events expected> <timeout ms>
import { EventSource } from 'eventsource';

const [url, key, expectedText, timeoutText] = process.argv.slice(2);
const expected = Number(expectedText);
const received = [];
const connected = [];
let opens = 0;
let errors = 0;

const source = new EventSource(url, {
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${key}` } }),
});

function finish(code) {
  source.close();
  console.log(JSON.stringify({ opens, errors, connected, received }));
  process.exit(code);
}

source.onopen = () => console.log(`open ${++opens}`);
source.onerror = () => console.log(`error ${++errors}`);
source.onmessage = (message) => {
  const data = JSON.parse(message.data);
  if (data.type === 'connected') {
    connected.push(data.recovered);
    return;
  }
  if (String(data.event_id) !== message.lastEventId) {
    console.error(`id mismatch: ${data.event_id} vs ${message.lastEventId}`);
    finish(2);
  }
  received.push(data.event_id);
  if (received.length >= expected) {
    finish(0);
  }
};

setTimeout(() => finish(1), Number(timeoutText));
