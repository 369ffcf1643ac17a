// A real browser against the running stack (tools/dev browser-check): pages served from other
// origins call the gateway with fetch and WebSocket, the way a web client does, and the browser
// itself enforces CORS. Checks what curl cannot: that Chromium accepts our preflights, lets the
// page read X-Request-Id and Retry-After, and blocks an origin the gateway does not allow.
//
// usage: node cors_check.mjs [gateway_url]   (default http://127.0.0.1:8080)
// env:   CHROMIUM (default /usr/bin/chromium)
// Exit status 0 when every check passed, 1 otherwise.
import http from 'node:http';
import { chromium } from 'playwright-core';

const gateway = (process.argv[2] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const wsGateway = gateway.replace(/^http/, 'ws');
// tools/dev allows http://localhost:* and http://127.0.0.1:*; 127.0.0.2 is loopback too but
// not allowed, so it plays the foreign site.
const allowedOrigin = { host: 'localhost', bind: '127.0.0.1', port: 5173 };
const refusedOrigin = { host: '127.0.0.2', bind: '127.0.0.2', port: 5174 };

function servePage({ bind, port }) {
  const page = '<!doctype html><meta charset="utf-8"><title>ChatterStack browser check</title>';
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bind, () => resolve(server));
  });
}

// Runs in the page of the allowed origin: the flows of a web client.
async function allowedOriginFlows({ gateway, wsGateway }) {
  const results = [];
  const check = (name, ok, detail) => results.push({ name, ok: Boolean(ok), detail });
  const name = `browser_${Date.now().toString(36)}`;

  const signup = await fetch(`${gateway}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'browser-check-1' },
    body: JSON.stringify({ username: name, email: `${name}@example.com`, password: 'correct horse' }),
  });
  const session = await signup.json();
  check('signup (JSON body: preflighted) is 201', signup.status === 201, signup.status);
  check('X-Request-Id is readable and echoed', signup.headers.get('X-Request-Id') === 'browser-check-1',
        signup.headers.get('X-Request-Id'));
  const token = session.access_token;

  const viaHeader = await fetch(`${gateway}/v1/me`, { headers: { 'X-Auth-Token': token } });
  const me = await viaHeader.json();
  check('GET /v1/me with X-Auth-Token is 200', viaHeader.status === 200 && me.username === name,
        viaHeader.status);
  const viaBearer = await fetch(`${gateway}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  check('GET /v1/me with Authorization: Bearer is 200', viaBearer.status === 200, viaBearer.status);

  const room = await fetch(`${gateway}/v1/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify({ name: 'browser room' }),
  }).then((response) => response.json());
  const posted = await fetch(`${gateway}/v1/rooms/${room.id}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify({ content: 'from the browser' }),
  });
  check('POST a message is 201', posted.status === 201, posted.status);

  const bad = await fetch(`${gateway}/v1/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: '{"name": ',
  });
  const envelope = await bad.json();
  check('malformed JSON: 400 envelope readable by the page',
        bad.status === 400 && envelope.error?.code === 'invalid_argument' && envelope.request_id,
        `${bad.status} ${JSON.stringify(envelope.error)}`);

  const frames = await new Promise((resolve) => {
    const seen = [];
    const socket = new WebSocket(`${wsGateway}/ws?access_token=${encodeURIComponent(token)}&room_id=${room.id}`);
    const done = () => { socket.close(); resolve(seen); };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      seen.push(frame);
      if (frame.event === 'ready') {
        socket.send(JSON.stringify({ event: 'send_message', data: { room_id: room.id, content: 'over ws' }, ref: 's1' }));
      }
      // The message POSTed just before may arrive live too (chat-svc publishes after commit):
      // wait for this one's ack and echo.
      if (seen.some((f) => f.event === 'ack' && f.ref === 's1') &&
          seen.some((f) => f.event === 'receive_message' && f.data.content === 'over ws')) done();
    };
    socket.onerror = () => { seen.push({ event: 'socket_error' }); resolve(seen); };
    setTimeout(done, 5000);
  });
  const ready = frames.find((frame) => frame.event === 'ready');
  check('WebSocket opens from the allowed origin and subscribes',
        ready && ready.data.subscribed.includes(room.id), JSON.stringify(ready?.data));
  check('send_message over WebSocket is acked and fanned out',
        frames.some((f) => f.event === 'ack' && f.ref === 's1' && f.data.content === 'over ws') &&
        frames.some((f) => f.event === 'receive_message' && f.data.content === 'over ws'),
        frames.map((f) => f.event).join(','));
  return { results, token };
}

// Runs in the page of the refused origin: the browser must block both.
async function refusedOriginFlows({ gateway, wsGateway, token }) {
  const results = [];
  const check = (name, ok, detail) => results.push({ name, ok: Boolean(ok), detail });
  let fetchOutcome;
  try {
    const response = await fetch(`${gateway}/v1/me`, { headers: { 'X-Auth-Token': token } });
    fetchOutcome = `answered ${response.status}`;
  } catch (error) {
    fetchOutcome = `blocked (${error.name})`;
  }
  check('fetch from a foreign origin is blocked by the browser', fetchOutcome.startsWith('blocked'),
        fetchOutcome);
  const wsOutcome = await new Promise((resolve) => {
    const socket = new WebSocket(`${wsGateway}/ws?access_token=${encodeURIComponent(token)}`);
    socket.onopen = () => { socket.close(); resolve('opened'); };
    socket.onclose = (event) => resolve(`closed ${event.code}`);
    setTimeout(() => resolve('timeout'), 5000);
  });
  check('WebSocket from a foreign origin is refused (403 upgrade)', wsOutcome === 'closed 1006',
        wsOutcome);
  return results;
}

async function main() {
  const servers = [await servePage(allowedOrigin), await servePage(refusedOrigin)];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],  // Often run as root in CI containers, where the sandbox cannot start.
  });
  let failed = 0;
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://${allowedOrigin.host}:${allowedOrigin.port}/`);
    const allowed = await page.evaluate(allowedOriginFlows, { gateway, wsGateway });
    await page.goto(`http://${refusedOrigin.host}:${refusedOrigin.port}/`);
    const refused = await page.evaluate(refusedOriginFlows, { gateway, wsGateway, token: allowed.token });
    const report = [
      ...allowed.results.map((r) => ({ origin: `http://${allowedOrigin.host}:${allowedOrigin.port}`, ...r })),
      ...refused.map((r) => ({ origin: `http://${refusedOrigin.host}:${refusedOrigin.port}`, ...r })),
    ];
    console.log(`Chromium ${browser.version()} against ${gateway}`);
    for (const { origin, name, ok, detail } of report) {
      if (!ok) failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${origin.padEnd(24)} ${name}${ok ? '' : `  [${detail}]`}`);
    }
  } finally {
    await browser.close();
    for (const server of servers) server.close();
  }
  console.log(failed === 0 ? 'every check passed' : `${failed} check(s) failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
