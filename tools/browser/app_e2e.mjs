// The landing page and the reference app in a real browser (Debian's Chromium, driven by
// playwright-core), against a stack whose gateway serves them (web_browser_e2e_test starts it):
//   - the landing page at / loads everything from its own origin and links the API documents;
//   - the landing page's try-it panel carries a message between its two in-page clients;
//   - two browser contexts sign up, open a direct room and chat both ways, typing shown;
//   - the gateway is restarted mid-chat (the C++ test does it when this script asks) and both
//     apps reconnect and resume: every message shown exactly once, in the room's order;
//   - an access token that expired while the app was closed is refreshed without the user
//     noticing (needs the stack's CHATTER_ACCESS_TOKEN_TTL_S=60);
//   - one user finds the other's public room in the directory, joins it and talks there;
//   - axe-core finds no serious or critical accessibility violation on the landing page or the
//     app; screenshots at phone and desktop widths go to CHATTER_SCREENSHOT_DIR.
//
// env:  CHATTER_GATEWAY_URL       the gateway (http://127.0.0.1:PORT)
//       CHATTER_SCREENSHOT_DIR    where the screenshots are written
//       CHATTER_RESTART_DONE_FILE the test creates it once the restarted gateway serves
//       CHATTER_TOKEN_TTL_S       the stack's access token lifetime (default 60)
//       CHROMIUM                  the browser (default /usr/bin/chromium)
// Protocol with the test: this script prints {"message":"restart the gateway"} on its own line
// and waits for CHATTER_RESTART_DONE_FILE. Exit status 0 when every check passed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const gateway = (process.env.CHATTER_GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const screenshotDir = process.env.CHATTER_SCREENSHOT_DIR ?? 'browser-screenshots';
const restartDoneFile = process.env.CHATTER_RESTART_DONE_FILE;
const tokenTtlMs = Number(process.env.CHATTER_TOKEN_TTL_S ?? 60) * 1000;
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const kWait = 20_000;
const kPassword = 'correct horse battery staple';
const phone = { width: 375, height: 740 };
const desktop = { width: 1280, height: 800 };

const failures = [];
function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok || detail === '' ? '' : `: ${detail}`}`);
  if (!ok) failures.push(name);
  return ok;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (prefix) => `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

async function api(method, route, { token, body } = {}) {
  const response = await fetch(`${gateway}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { 'X-Auth-Token': token } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

// Requests that leave the gateway's origin: the pages must load nothing from elsewhere.
function watchForeignRequests(context) {
  const foreign = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return;
    if (url.host !== new URL(gateway).host) foreign.push(request.url());
  });
  return foreign;
}

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function screenshots(page, name) {
  const original = page.viewportSize();
  for (const [label, size] of [['phone', phone], ['desktop', desktop]]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200); // let the layout settle
    const file = path.join(screenshotDir, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: label === 'desktop' });
    check(`screenshot ${path.basename(file)} written`, fs.statSync(file).size > 1000);
  }
  if (original) await page.setViewportSize(original);
}

// ---- the landing page ----

async function landingPage(browser) {
  const context = await browser.newContext({ viewport: desktop });
  const foreign = watchForeignRequests(context);
  const page = await context.newPage();
  const response = await page.goto(`${gateway}/`, { waitUntil: 'networkidle' });
  check('GET / serves the landing page', response?.status() === 200, response?.status());
  check('the landing page names the product', /ChatterStack/i.test(await page.title()), await page.title());
  const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => a.getAttribute('href')));
  check('the landing page links the OpenAPI document', hrefs.some((h) => h.includes('/v1/openapi.json')), hrefs.join(' '));
  check('the landing page links the Postman collection', hrefs.some((h) => /postman/i.test(h)), hrefs.join(' '));
  check('the landing page links the app', hrefs.some((h) => h.startsWith('/app')), hrefs.join(' '));
  const diagram = await page.locator('svg').filter({ hasText: /realtime-svc/ }).count();
  check('the architecture diagram shows our services', diagram > 0);
  for (const name of ['gateway', 'auth-svc', 'chat-svc', 'realtime-svc', 'PostgreSQL', 'Redis', 'ECS']) {
    const shown = await page.locator('svg').filter({ hasText: name }).count();
    check(`the diagram names ${name}`, shown > 0);
  }
  // The live "try it" panel: two in-page clients talking through this gateway.
  await page.locator('#try-start').click();
  const panels = page.locator('[data-client]');
  await panels.nth(1).locator('input[name="content"]:enabled').waitFor({ timeout: kWait });
  await panels.nth(0).locator('input[name="content"]').fill('hello from client A');
  await panels.nth(0).locator('input[name="content"]').press('Enter');
  await panels.nth(1).locator('[data-log]').filter({ hasText: 'hello from client A' }).waitFor({ timeout: kWait });
  check('the try-it panel carries a message from one in-page client to the other', true);
  const openapi = await api('GET', '/v1/openapi.json');
  check('the linked OpenAPI document is served', openapi.status === 200 && openapi.body?.openapi !== undefined);
  const violations = await axeViolations(page);
  check('axe: no serious or critical violation on the landing page', violations.length === 0, JSON.stringify(violations));
  await screenshots(page, 'landing');
  check('the landing page loads nothing from another origin', foreign.length === 0, foreign.join(' '));
  await context.close();
}

// ---- the app ----

async function openApp(browser, viewport = desktop) {
  const context = await browser.newContext({ viewport });
  const foreign = watchForeignRequests(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const response = await page.goto(`${gateway}/app/`, { waitUntil: 'domcontentloaded' });
  check('GET /app/ serves the app', response?.status() === 200, response?.status());
  return { context, page, foreign, errors };
}

async function signUp(page, username) {
  await page.getByTestId('show-signup').click();
  await page.getByTestId('signup-username').fill(username);
  await page.getByTestId('signup-email').fill(`${username}@example.com`);
  await page.getByTestId('signup-password').fill(kPassword);
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('current-user').filter({ hasText: username }).waitFor({ timeout: kWait });
}

async function waitConnected(page) {
  await page.locator('[data-testid="connection-status"][data-state="open"]').waitFor({ state: 'attached', timeout: 30_000 });
}

async function messageTexts(page) {
  return page.getByTestId('message-list').getByTestId('message-text').allTextContents().then((all) => all.map((t) => t.trim()));
}

async function waitForMessage(page, text) {
  await page.getByTestId('message-list').getByTestId('message-text').filter({ hasText: text }).first().waitFor({ timeout: kWait });
}

async function send(page, text) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
}

async function main() {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'], // Often run as root in CI containers, where the sandbox cannot start.
  });
  try {
    await landingPage(browser);

    const alice = unique('bra');
    const bob = unique('brb');
    const a = await openApp(browser);
    const b = await openApp(browser, phone);
    await signUp(a.page, alice);
    await signUp(b.page, bob);
    check('both users are signed in', true);

    // A login of Alice's made now, kept aside: its access token expires while no app holds it.
    const kept = await api('POST', '/v1/auth/login', { body: { email_or_username: alice, password: kPassword } });
    const keptAt = Date.now();
    check('a second login of Alice is issued', kept.status === 200, kept.status);

    // Alice opens a direct room with Bob by his username.
    await a.page.getByTestId('nav-direct').click();
    await a.page.getByTestId('dm-username').fill(bob);
    await a.page.getByTestId('dm-submit').click();
    await a.page.getByTestId('composer-input').waitFor({ timeout: kWait });
    await waitConnected(a.page);
    await send(a.page, 'hello bob');
    await waitForMessage(a.page, 'hello bob');

    // Bob finds the room in his list and opens it.
    const bobsEntry = b.page.getByTestId('room-entry').filter({ hasText: alice });
    await bobsEntry.first().waitFor({ timeout: 30_000 });
    check("the direct room appears in Bob's list, named after Alice", true);
    await bobsEntry.first().click();
    await waitForMessage(b.page, 'hello bob');
    check('Bob sees the message Alice sent before he opened the room', true);
    await waitConnected(b.page);

    // Typing, both ways of chat.
    await a.page.getByTestId('composer-input').pressSequentially('typing for bob', { delay: 30 });
    const typing = b.page.locator('[data-testid="typing-indicator"][data-active="true"]');
    await typing.waitFor({ timeout: kWait });
    check("Bob sees Alice typing", (await typing.textContent()).includes(alice), await typing.textContent());
    await a.page.getByTestId('composer-input').press('Enter');
    await waitForMessage(b.page, 'typing for bob');
    await send(b.page, 'hi alice');
    await waitForMessage(a.page, 'hi alice');
    check('messages go both ways live', true);

    const violations = await axeViolations(a.page);
    check('axe: no serious or critical violation in the app', violations.length === 0, JSON.stringify(violations));
    await screenshots(a.page, 'app-chat');

    // The gateway restarts mid-chat; both apps send while it is away.
    console.log(JSON.stringify({ message: 'restart the gateway' }));
    const during = [];
    for (let i = 1; i <= 3; ++i) {
      during.push(`alice during restart ${i}`, `bob during restart ${i}`);
      await send(a.page, `alice during restart ${i}`);
      await send(b.page, `bob during restart ${i}`);
      await sleep(150);
    }
    const restartDeadline = Date.now() + 60_000;
    while (!fs.existsSync(restartDoneFile) && Date.now() < restartDeadline) await sleep(100);
    check('the test restarted the gateway', fs.existsSync(restartDoneFile));
    await waitConnected(a.page);
    await waitConnected(b.page);
    await send(a.page, 'alice after restart');
    await send(b.page, 'bob after restart');
    for (const text of [...during, 'alice after restart', 'bob after restart']) {
      await waitForMessage(a.page, text);
      await waitForMessage(b.page, text);
    }
    // The room as the server has it, in seq order, against what each app shows.
    const rooms = await api('GET', '/v1/rooms', { token: kept.body.access_token });
    const room = rooms.body.rooms.find((r) => r.kind === 'direct');
    const history = await api('GET', `/v1/rooms/${room.id}/messages?limit=100`, { token: kept.body.access_token });
    const serverOrder = history.body.messages.map((m) => m.content).reverse();
    check('the server holds every message once', new Set(serverOrder).size === serverOrder.length && serverOrder.length === 6 + 5,
      JSON.stringify(serverOrder));
    await sleep(500); // anything duplicated late would show now
    for (const [who, page] of [['Alice', a.page], ['Bob', b.page]]) {
      const shown = await messageTexts(page);
      check(`${who}'s app shows every message exactly once, in the room's order, after the restart`,
        JSON.stringify(shown) === JSON.stringify(serverOrder), `shown ${JSON.stringify(shown)} server ${JSON.stringify(serverOrder)}`);
    }

    // An access token that expired while the app was closed: the app refreshes it unseen.
    // Its expiry plus the verifiers' leeway for clock skew (30 s) must pass first.
    const expiredBy = keptAt + tokenTtlMs + 45_000;
    let expired = await api('GET', '/v1/me', { token: kept.body.access_token });
    while (expired.status !== 401 && Date.now() < expiredBy) {
      await sleep(1000);
      expired = await api('GET', '/v1/me', { token: kept.body.access_token });
    }
    check('the kept access token has expired', expired.status === 401, expired.status);
    const c = await browser.newContext({ viewport: desktop });
    const refreshes = [];
    const unauthorized = [];
    c.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname === '/v1/auth/refresh') refreshes.push(response.status());
      if (url.pathname.startsWith('/v1/') && response.status() === 401) unauthorized.push(url.pathname);
    });
    const cPage = await c.newPage();
    await cPage.goto(`${gateway}/app/manifest.webmanifest`);
    await cPage.evaluate(({ tokens, user }) => {
      localStorage.setItem('chatterstack.tokens', JSON.stringify(tokens));
      localStorage.setItem('chatterstack.user', JSON.stringify(user));
    }, {
      // The app believes the token is good for a while: the server has to say otherwise.
      tokens: { accessToken: kept.body.access_token, refreshToken: kept.body.refresh_token,
        expiresAt: Date.now() + 10 * 60_000, userId: kept.body.user.id },
      user: kept.body.user,
    });
    await cPage.goto(`${gateway}/app/`);
    await cPage.getByTestId('current-user').filter({ hasText: alice }).waitFor({ timeout: kWait });
    const entry = cPage.getByTestId('room-entry').filter({ hasText: bob });
    await entry.first().waitFor({ timeout: kWait });
    await entry.first().click();
    await waitConnected(cPage);
    await send(cPage, 'sent with a refreshed token');
    await waitForMessage(b.page, 'sent with a refreshed token');
    check('the expired token was refused, then refreshed', unauthorized.length > 0 && refreshes.includes(200),
      `401s ${unauthorized.join(' ')}; refreshes ${refreshes.join(' ')}`);
    check('the user was never sent to the login form', (await cPage.getByTestId('login-form').count()) === 0);
    check('a message sent after the refresh reaches Bob', true);
    await c.close();

    // Public room discovery: Alice creates a public room, Bob finds it in the directory, joins
    // and talks there.
    const lounge = unique('lounge');
    await a.page.evaluate(() => { location.hash = '#/new'; });
    await a.page.getByTestId('new-room-name').fill(lounge);
    await a.page.getByTestId('new-room-public').check();
    await a.page.getByTestId('new-room-submit').click();
    await a.page.getByTestId('room-title').filter({ hasText: lounge }).waitFor({ timeout: kWait });
    await b.page.evaluate(() => { location.hash = '#/discover'; });
    await b.page.getByTestId('directory-search').fill(lounge);
    const listed = b.page.getByTestId('public-room').filter({ hasText: lounge });
    await listed.waitFor({ timeout: kWait });
    await listed.getByTestId('public-room-join').click();
    await b.page.getByTestId('room-title').filter({ hasText: lounge }).waitFor({ timeout: kWait });
    await waitConnected(b.page);
    await send(b.page, 'bob found the lounge');
    await waitForMessage(a.page, 'bob found the lounge');
    check("Bob finds Alice's public room in the directory, joins it and talks there", true);

    for (const [who, app] of [['Alice', a], ['Bob', b]]) {
      check(`${who}'s app threw no uncaught error`, app.errors.length === 0, app.errors.join(' | '));
      check(`${who}'s app loaded nothing from another origin`, app.foreign.length === 0, app.foreign.join(' '));
    }
    await a.context.close();
    await b.context.close();
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    console.log(failures.length === 0 ? 'all browser checks passed' : `${failures.length} browser checks failed`);
    process.exit(failures.length === 0 ? 0 : 1);
  },
  (error) => {
    console.log(`not ok - the browser run stopped: ${error?.stack ?? error}`);
    process.exit(1);
  },
);
