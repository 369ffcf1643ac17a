// The "try it" panel: two real clients of this gateway, nothing mocked. Each signs up a throwaway
// user over REST, client A opens the direct room of the two, and each connects one WebSocket
// subscribed to it. Plain fetch and WebSocket (no SDK, no build step), same origin as the page,
// which the gateway's Content-Security-Policy (connect-src 'self' ws: wss:) allows.

const WIRE_LOG_MAX = 200;
const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;

function randomText(length) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...crypto.getRandomValues(new Uint8Array(length))]
    .map((byte) => alphabet[byte % alphabet.length])
    .join('');
}

// crypto.randomUUID exists only in secure contexts (https, localhost); a v4 UUID by hand otherwise.
function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// One REST call; a failure becomes an Error carrying the envelope's message and Retry-After.
async function rest(method, path, { token, body } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['X-Auth-Token'] = token;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const retry = response.headers.get('Retry-After');
    const message = json?.error?.message ?? response.statusText;
    throw new Error(
      `${method} ${path} answered ${response.status}: ${message}` +
        (retry ? ` (try again in ${retry} s)` : ''),
    );
  }
  return json;
}

function webSocketUrl(params) {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [name, value] of params) url.searchParams.append(name, value);
  return url;
}

class DemoClient {
  constructor(panel, label, wire) {
    this.label = label;
    this.wire = wire;
    this.log = panel.querySelector('[data-log]');
    this.logBox = panel.querySelector('[data-log-box]');
    this.whoText = panel.querySelector('[data-who]');
    this.typingText = panel.querySelector('[data-typing]');
    this.form = panel.querySelector('[data-form]');
    this.input = this.form.querySelector('input');
    this.button = this.form.querySelector('button');
    this.socket = null;
    this.refs = 0;
    this.lastTypingSent = 0;
    this.typingIdle = null;
    this.peerTypingClear = null;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.sendMessage();
    });
    this.input.addEventListener('input', () => this.typed());
  }

  async signUp(prefix) {
    const username = `${prefix}_${this.label.toLowerCase()}`;
    const answer = await rest('POST', '/v1/auth/signup', {
      body: { username, email: `${username}@example.com`, password: randomText(20) },
    });
    this.user = answer.user;
    this.token = answer.access_token;
    this.whoText.textContent = `@${this.user.username}`;
    this.note(`signed up as @${this.user.username}`);
    return this.user;
  }

  // Resolves on `ready` when the room was subscribed; rejects on a refusal or a closed socket.
  connect(roomId, peerName) {
    this.roomId = roomId;
    this.peerName = peerName;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(
        webSocketUrl([
          ['access_token', this.token],
          ['room_id', roomId],
        ]),
      );
      this.socket = socket;
      socket.addEventListener('message', (event) => {
        this.trace('←', event.data);
        const frame = JSON.parse(event.data);
        if (frame.event === 'ready') {
          if (frame.data.subscribed.includes(roomId)) {
            this.note('connected, subscribed to the direct room');
            this.setEnabled(true);
            resolve();
          } else {
            reject(new Error(`client ${this.label}: room refused (${JSON.stringify(frame.data.refused)})`));
          }
          return;
        }
        this.onFrame(frame);
      });
      socket.addEventListener('close', (event) => {
        this.setEnabled(false);
        this.note(`disconnected (${event.code}${event.reason ? ` ${event.reason}` : ''})`);
        reject(new Error(`client ${this.label}: the WebSocket closed with ${event.code} ${event.reason}`));
      });
    });
  }

  onFrame({ event, ref, data }) {
    switch (event) {
      case 'receive_message':
        this.showMessage(data);
        if (data.sender_id !== this.user.id) this.showPeerTyping(false);
        break;
      case 'typing_start':
      case 'typing_stop':
        if (data.user_id !== this.user.id) this.showPeerTyping(event === 'typing_start', data.username);
        break;
      case 'presence':
        if (data.user_id !== this.user.id) this.note(`@${this.peerName} is ${data.status}`);
        break;
      case 'resync_required':
        this.note(`resync required after seq ${data.last_seq}`);
        break;
      case 'error':
        this.note(`error${ref ? ` (ref ${ref})` : ''}: ${data.code}: ${data.message}`);
        break;
      default:
        break;
    }
  }

  sendFrame(event, data, withRef) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    const frame = { event, data };
    if (withRef) frame.ref = `${this.label}${++this.refs}`;
    const text = JSON.stringify(frame);
    this.trace('→', text);
    this.socket.send(text);
  }

  sendMessage() {
    const content = this.input.value.trim();
    if (!content) return;
    this.sendFrame(
      'send_message',
      { room_id: this.roomId, content, client_msg_id: newUuid() },
      true,
    );
    this.input.value = '';
    this.stopTyping();
    this.input.focus();
  }

  // typing_start at most every few seconds while keys come, typing_stop once they pause.
  typed() {
    const now = Date.now();
    if (now - this.lastTypingSent > TYPING_EVERY_MS) {
      this.sendFrame('typing_start', { room_id: this.roomId }, false);
      this.lastTypingSent = now;
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingIdle);
    if (this.lastTypingSent === 0) return;
    this.sendFrame('typing_stop', { room_id: this.roomId }, false);
    this.lastTypingSent = 0;
  }

  showPeerTyping(typing, username) {
    clearTimeout(this.peerTypingClear);
    this.typingText.textContent = typing ? `@${username ?? this.peerName} is typing…` : '';
    if (typing) this.peerTypingClear = setTimeout(() => this.showPeerTyping(false), 6000);
  }

  showMessage(message) {
    const item = document.createElement('li');
    const mine = message.sender_id === this.user.id;
    item.className = mine ? 'mine' : 'theirs';
    const seq = document.createElement('span');
    seq.className = 'seq';
    seq.textContent = `#${message.seq}`;
    const who = mine ? 'you' : `@${this.peerName}`;
    item.append(seq, `${who}: ${message.content}`);
    this.append(item);
  }

  note(text) {
    const item = document.createElement('li');
    item.className = 'system';
    item.textContent = text;
    this.append(item);
  }

  append(item) {
    this.log.append(item);
    this.logBox.scrollTop = this.logBox.scrollHeight;
  }

  trace(direction, text) {
    const item = document.createElement('li');
    item.textContent = `${this.label} ${direction} ${text}`;
    this.wire.append(item);
    while (this.wire.children.length > WIRE_LOG_MAX) this.wire.firstElementChild.remove();
  }

  setEnabled(enabled) {
    this.input.disabled = !enabled;
    this.button.disabled = !enabled;
  }

  close() {
    this.stopTyping();
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000, 'demo ended');
    this.socket = null;
  }

  reset() {
    this.close();
    this.log.replaceChildren();
    this.whoText.textContent = '';
    this.typingText.textContent = '';
  }
}

// One client's panel from the page's template, with its own ids and labels.
function makePanel(doc, label) {
  const panel = doc.getElementById('client-template').content.firstElementChild.cloneNode(true);
  const id = `client-${label.toLowerCase()}`;
  panel.dataset.client = label.toLowerCase();
  panel.setAttribute('aria-labelledby', `${id}-title`);
  panel.querySelector('[data-title]').id = `${id}-title`;
  panel.querySelector('[data-name]').textContent = `Client ${label}`;
  panel.querySelector('[data-log-box]').setAttribute('aria-label', `Client ${label} messages`);
  const input = panel.querySelector('input');
  input.id = `${id}-input`;
  const inputLabel = panel.querySelector('[data-label]');
  inputLabel.htmlFor = input.id;
  inputLabel.textContent = `Message from client ${label}`;
  doc.getElementById('try-clients').append(panel);
  return panel;
}

export function setUpTryIt(doc) {
  const start = doc.getElementById('try-start');
  const stop = doc.getElementById('try-stop');
  const status = doc.getElementById('try-status');
  const wire = doc.getElementById('wire-log');
  if (!start) return;
  const a = new DemoClient(makePanel(doc, 'A'), 'A', wire);
  const b = new DemoClient(makePanel(doc, 'B'), 'B', wire);
  const say = (text, error = false) => {
    status.textContent = text;
    status.classList.toggle('error', error);
  };

  start.addEventListener('click', async () => {
    start.disabled = true;
    stop.disabled = false;
    a.reset();
    b.reset();
    wire.replaceChildren();
    try {
      const prefix = `try_${randomText(8)}`;
      say('Signing up two throwaway users…');
      const userA = await a.signUp(prefix);
      const userB = await b.signUp(prefix);
      say('Opening their direct room…');
      const room = await rest('POST', '/v1/direct', { token: a.token, body: { user_id: userB.id } });
      say('Connecting two WebSockets…');
      await Promise.all([a.connect(room.id, userB.username), b.connect(room.id, userA.username)]);
      say(`Live: @${userA.username} and @${userB.username} share room ${room.id}. Type on either side.`);
      a.input.focus();
    } catch (error) {
      say(error.message, true);
      a.close();
      b.close();
      start.disabled = false;
      stop.disabled = true;
    }
  });

  stop.addEventListener('click', () => {
    a.close();
    b.close();
    start.disabled = false;
    stop.disabled = true;
    say('Disconnected. Start again for two new users.');
    start.focus();
  });

  window.addEventListener('pagehide', () => {
    a.close();
    b.close();
  });
}
