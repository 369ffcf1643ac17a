// The issue #11 yardstick: "a plain Node.js server that INSERTs every message into PostgreSQL
// and then broadcasts". One process, one JavaScript thread, HTTP and WebSocket on one port, and
// exactly the part of ChatterStack's public API that build/tools/loadgen/loadgen uses (see
// README.md), so the same loadgen run measures it and our stack alike.
//
// Users, tokens, rooms and memberships live in memory (Maps); only messages go to PostgreSQL:
// one autocommit INSERT per send, with the room's next seq assigned here. Each room's sends are
// handled one after another (INSERT, then ack, then broadcast), so seq order is broadcast order
// and seqs have no gaps. The broadcast frame is encoded once and the same Buffer is written to
// every session of the room.
//
// usage: node server.mjs [--port=8090] [--pg=postgresql://...] [--pool=20]
//   --pg (or env BASELINE_PG_URL): the database to use (created if missing, with its table).

import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import pg from 'pg';
import { WebSocket, WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8090' },
    pg: {
      type: 'string',
      default: process.env.BASELINE_PG_URL ?? 'postgresql://postgres@localhost/chatter_baseline',
    },
    pool: { type: 'string', default: '20' },
  },
});
const PORT = Number(args.port);
const POOL_SIZE = Number(args.pool);
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) throw new Error(`bad --port ${args.port}`);
if (!Number.isInteger(POOL_SIZE) || POOL_SIZE < 1) throw new Error(`bad --pool ${args.pool}`);

const MAX_BODY_BYTES = 64 * 1024;
const MAX_FRAME_BYTES = 16 * 1024; // as the gateway's CHATTER_WS_MAX_FRAME_BYTES
const MAX_CONTENT = 4000;
const MAX_ROOMS_PER_CONNECT = 100;
const REPLAY_LIMIT = 1000; // messages a subscribe with since_seq replays before resync_required
const MAX_REMEMBERED_CLIENT_IDS = 100_000; // per room, for send_message retries

function log(...parts) {
  console.error(`[baseline ${new Date().toISOString()}]`, ...parts);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const INSERT_MESSAGE = {
  name: 'insert_message', // a named statement: parsed once per connection
  text:
    'INSERT INTO baseline_messages (room_id, seq, sender, content, created_at)' +
    ' VALUES ($1, $2, $3, $4, $5)',
};
const SELECT_SINCE = {
  name: 'select_since',
  text:
    'SELECT seq, sender, content, created_at FROM baseline_messages' +
    ' WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
};

// Connects to the database the URL names, creating it first (from the server's `postgres`
// database) when it does not exist; then the table.
async function openDatabase(url) {
  const params = new pg.Client(url).connectionParameters;
  const target = new pg.Client(url);
  try {
    await target.connect();
  } catch (error) {
    if (error.code !== '3D000') throw error; // invalid_catalog_name: no such database
    const admin = new pg.Client({
      user: params.user,
      password: params.password,
      host: params.host,
      port: params.port,
      database: 'postgres',
    });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${params.database.replaceAll('"', '""')}"`);
      log(`created database ${params.database}`);
    } catch (createError) {
      if (createError.code !== '42P04') throw createError; // created meanwhile
    } finally {
      await admin.end();
    }
    return openDatabase(url);
  }
  try {
    await target.query(`CREATE TABLE IF NOT EXISTS baseline_messages (
      room_id uuid NOT NULL,
      seq bigint NOT NULL,
      sender uuid NOT NULL,
      content text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (room_id, seq))`);
    const { rows } = await target.query('SHOW synchronous_commit');
    log(`database ${params.database} ready (synchronous_commit ${rows[0].synchronous_commit})`);
  } finally {
    await target.end();
  }
  // Idle connections are kept (idleTimeoutMillis 0) and all of them are opened now, so the
  // backends exist before a measurement starts and live until it ends.
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, idleTimeoutMillis: 0 });
  pool.on('error', (error) => log('idle PostgreSQL connection failed:', error.message));
  const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
  for (const client of clients) client.release();
  return pool;
}

// ---------------------------------------------------------------------------------------------
// In-memory state: users, tokens, rooms. Passwords are kept as given: this is a CPU yardstick
// for the message path, not an auth server.

const usersByName = new Map(); // username -> user
const usersByEmail = new Map(); // lower-case email -> user
const usersByToken = new Map(); // access token -> user
const rooms = new Map(); // room id -> room

function newUser(username, email, password) {
  const now = new Date().toISOString();
  return { id: randomUUID(), username, email, password, created_at: now, updated_at: now };
}

function newRoom(name, visibility, creator) {
  return {
    id: randomUUID(),
    name,
    visibility,
    created_by: creator.id,
    created_at: new Date().toISOString(),
    members: new Set([creator.id]),
    sessions: new Set(), // sessions subscribed to the room
    last_seq: 0,
    queue: [], // jobs run one after another: sends and subscribes with since_seq
    busy: false,
    sentByClientId: new Map(), // `${sender}\n${client_msg_id}` -> message JSON, for retries
  };
}

function roomJson(room) {
  return {
    id: room.id,
    name: room.name,
    kind: 'group',
    visibility: room.visibility,
    created_by: room.created_by,
    created_at: room.created_at,
    member_count: room.members.size,
    last_seq: room.last_seq,
    unread_count: null,
    last_message: null,
    unread_mentions: null,
  };
}

function userJson(user) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}

function issueTokens(user) {
  const accessToken = randomBytes(24).toString('base64url');
  usersByToken.set(accessToken, user);
  return {
    user: userJson(user),
    access_token: accessToken,
    refresh_token: randomBytes(24).toString('base64url'), // shape only: there is no refresh
    token_type: 'Bearer',
    expires_in: 86400,
  };
}

// Runs the room's jobs one at a time, in the order they were queued.
function enqueue(room, job) {
  room.queue.push(job);
  if (!room.busy) void drainRoom(room);
}

async function drainRoom(room) {
  room.busy = true;
  while (room.queue.length > 0) {
    const job = room.queue.shift();
    try {
      await job();
    } catch (error) {
      log(`room ${room.id}: job failed:`, error);
    }
  }
  room.busy = false;
}

// ---------------------------------------------------------------------------------------------
// REST: POST /v1/auth/signup, /v1/auth/login, /v1/rooms, /v1/rooms/{id}/join (and GET /healthz)

const USERNAME = /^[a-z0-9_.-]{3,32}$/;

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'invalid_argument', 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size === 0) return resolve({});
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          throw new Error('not an object');
        }
        resolve(body);
      } catch {
        reject(new HttpError(400, 'invalid_argument', 'body: not a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

function bearerUser(req) {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : req.headers['x-auth-token'];
  const user = token ? usersByToken.get(token) : undefined;
  if (!user) throw new HttpError(401, 'unauthenticated', 'missing or invalid access token');
  return user;
}

function requireString(body, field, check, reason) {
  const value = body[field];
  if (typeof value !== 'string' || !check(value))
    throw new HttpError(400, 'invalid_argument', `${field}: ${reason}`);
  return value;
}

async function signup(req, res) {
  const body = await readJson(req);
  const username = requireString(
    body,
    'username',
    (v) => USERNAME.test(v),
    'must match [a-z0-9_.-]{3,32}',
  );
  const email = requireString(
    body,
    'email',
    (v) => v.length <= 254 && /^[^@\s]+@[^@\s]+$/.test(v),
    'not an email address',
  );
  const password = requireString(
    body,
    'password',
    (v) => v.length >= 8 && v.length <= 128,
    'must be 8-128 characters',
  );
  if (usersByName.has(username)) throw new HttpError(409, 'already_exists', 'username: taken');
  if (usersByEmail.has(email.toLowerCase()))
    throw new HttpError(409, 'already_exists', 'email: taken');
  const user = newUser(username, email, password);
  usersByName.set(username, user);
  usersByEmail.set(email.toLowerCase(), user);
  reply(res, 201, issueTokens(user));
}

async function login(req, res) {
  const body = await readJson(req);
  const name = typeof body.username === 'string' ? body.username.toLowerCase() : '';
  const user = usersByName.get(name) ?? usersByEmail.get(name);
  if (!user || body.password !== user.password)
    throw new HttpError(401, 'unauthenticated', 'wrong username or password');
  reply(res, 200, issueTokens(user));
}

async function createRoom(req, res) {
  const user = bearerUser(req);
  const body = await readJson(req);
  const name = requireString(
    body,
    'name',
    (v) => v.trim().length > 0 && v.length <= 100,
    'must be 1-100 characters',
  );
  const visibility = body.visibility ?? 'private';
  if (visibility !== 'public' && visibility !== 'private')
    throw new HttpError(400, 'invalid_argument', 'visibility: must be public or private');
  const room = newRoom(name.trim(), visibility, user);
  rooms.set(room.id, room);
  reply(res, 201, roomJson(room));
}

function joinRoom(req, res, roomId) {
  const user = bearerUser(req);
  const room = rooms.get(roomId);
  if (!room) throw new HttpError(404, 'not_found', 'room not found');
  if (room.visibility !== 'public' && !room.members.has(user.id))
    throw new HttpError(403, 'permission_denied', 'the room is private');
  room.members.add(user.id);
  reply(res, 200, roomJson(room));
}

const JOIN_PATH = /^\/v1\/rooms\/([^/]+)\/join$/;

async function route(req, res) {
  const path = req.url.split('?', 1)[0];
  if (req.method === 'GET' && path === '/healthz') return reply(res, 200, { status: 'ok' });
  if (path === '/ws') throw new HttpError(426, 'failed_precondition', 'WebSocket upgrade required');
  if (req.method === 'POST') {
    if (path === '/v1/auth/signup') return signup(req, res);
    if (path === '/v1/auth/login') return login(req, res);
    if (path === '/v1/rooms') return createRoom(req, res);
    const join = JOIN_PATH.exec(path);
    if (join) return joinRoom(req, res, decodeURIComponent(join[1]));
  }
  throw new HttpError(404, 'not_found', `no route for ${req.method} ${path}`);
}

function onRequest(req, res) {
  route(req, res).catch((error) => {
    if (!(error instanceof HttpError)) {
      log('request failed:', error);
      error = new HttpError(500, 'internal', 'internal error');
    }
    if (!res.headersSent)
      reply(res, error.status, { error: { code: error.code, message: error.message } });
  });
}

// ---------------------------------------------------------------------------------------------
// WebSocket: GET /ws?access_token=...&room_id=...; frames {"event","ref","data"}

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: MAX_FRAME_BYTES,
  perMessageDeflate: false,
  clientTracking: false,
});
const sessions = new Set();

function refuseUpgrade(socket, status, reason, code, message) {
  const body = JSON.stringify({ error: { code, message } });
  const head =
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
}

function onUpgrade(req, socket, head) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname !== '/ws')
    return refuseUpgrade(socket, 404, 'Not Found', 'not_found', 'no such endpoint');
  const header = req.headers.authorization;
  const token =
    url.searchParams.get('access_token') ??
    url.searchParams.get('token') ??
    (header?.startsWith('Bearer ') ? header.slice(7) : req.headers['x-auth-token']);
  const user = token ? usersByToken.get(token) : undefined;
  if (!user)
    return refuseUpgrade(
      socket,
      401,
      'Unauthorized',
      'unauthenticated',
      'missing or invalid access token',
    );
  const roomIds = [...new Set(url.searchParams.getAll('room_id'))];
  if (roomIds.length > MAX_ROOMS_PER_CONNECT)
    return refuseUpgrade(socket, 400, 'Bad Request', 'invalid_argument', 'room_id: at most 100');
  wss.handleUpgrade(req, socket, head, (ws) => openSession(ws, user, roomIds));
}

function accessCode(room, user) {
  if (!room) return 'not_found';
  if (!room.members.has(user.id)) return 'permission_denied';
  return null;
}

function frameText(event, ref, data) {
  return ref === undefined ? JSON.stringify({ event, data }) : JSON.stringify({ event, ref, data });
}

function openSession(ws, user, roomIds) {
  const session = { id: randomUUID(), user, ws, rooms: new Set() };
  sessions.add(session);
  const subscribed = [];
  const refused = [];
  for (const roomId of roomIds) {
    const room = rooms.get(roomId);
    const code = accessCode(room, user);
    if (code) {
      refused.push({ room_id: roomId, code });
    } else {
      room.sessions.add(session);
      session.rooms.add(room);
      subscribed.push(roomId);
    }
  }
  ws.send(
    frameText('ready', undefined, {
      user_id: user.id,
      session_id: session.id,
      subscribed,
      refused,
    }),
  );
  ws.on('message', (data, isBinary) => onFrame(session, data, isBinary));
  ws.on('error', () => {}); // 'close' follows
  ws.on('close', () => {
    sessions.delete(session);
    for (const room of session.rooms) room.sessions.delete(session);
    session.rooms.clear();
  });
}

function send(session, text) {
  if (session.ws.readyState === WebSocket.OPEN) session.ws.send(text);
}

function sendError(session, ref, code, message) {
  send(session, frameText('error', ref, { code, message }));
}

const HANDLERS = {
  send_message: onSendMessage,
  subscribe: onSubscribe,
  unsubscribe: onUnsubscribe,
  ping: (session, ref) => {
    send(session, frameText('pong', undefined, {}));
    if (ref !== undefined) send(session, frameText('ack', ref, {}));
  },
};

function onFrame(session, data, isBinary) {
  if (isBinary)
    return sendError(session, undefined, 'invalid_argument', 'binary frames are not supported');
  let frame;
  try {
    frame = JSON.parse(data.toString('utf8'));
  } catch {
    return sendError(session, undefined, 'invalid_argument', 'frame: not JSON');
  }
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
    return sendError(session, undefined, 'invalid_argument', 'frame: not a JSON object');
  }
  const ref = typeof frame.ref === 'string' && frame.ref.length <= 64 ? frame.ref : undefined;
  if (frame.ref !== undefined && ref === undefined)
    return sendError(
      session,
      undefined,
      'invalid_argument',
      'ref: a string of at most 64 characters',
    );
  const handler = typeof frame.event === 'string' ? HANDLERS[frame.event] : undefined;
  if (!handler)
    return sendError(
      session,
      ref,
      'invalid_argument',
      `event: unknown or not supported here: ${frame.event}`,
    );
  const body = frame.data ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    return sendError(session, ref, 'invalid_argument', 'data: not an object');
  handler(session, ref, body);
}

function messageJson(room, seq, sender, content, clientMsgId, createdAt) {
  // Every field of the public Message, so frames are as long as the gateway's. `id` is made
  // here and not stored: (room_id, seq) is the row's key.
  return JSON.stringify({
    id: randomUUID(),
    room_id: room.id,
    seq,
    sender_id: sender.id,
    content,
    attachments: [],
    client_msg_id: clientMsgId,
    status: 'sent',
    created_at: createdAt,
    updated_at: createdAt,
    edited: false,
    deleted: false,
    reply_to: null,
    reply_count: 0,
    reactions: [],
    mentions: [],
    sender_kind: 'user',
  });
}

function onSendMessage(session, ref, data) {
  const room = rooms.get(data.room_id);
  const code = accessCode(room, session.user);
  if (code) return sendError(session, ref, code, 'room_id: no access');
  if (typeof data.content !== 'string')
    return sendError(session, ref, 'invalid_argument', 'content: required');
  const content = data.content.trim();
  if (content.length === 0 || content.length > MAX_CONTENT)
    return sendError(session, ref, 'invalid_argument', 'content: 1-4000 characters');
  const clientMsgId = data.client_msg_id ?? '';
  if (typeof clientMsgId !== 'string' || clientMsgId.length > 128)
    return sendError(session, ref, 'invalid_argument', 'client_msg_id: at most 128 characters');
  const sender = session.user;
  enqueue(room, async () => {
    const retryKey = clientMsgId === '' ? null : `${sender.id}\n${clientMsgId}`;
    const earlier = retryKey && room.sentByClientId.get(retryKey);
    if (earlier) {
      // A retry of a send that was saved: the same message again, nothing new stored or sent.
      if (ref !== undefined)
        send(session, `{"event":"ack","ref":${JSON.stringify(ref)},"data":${earlier}}`);
      return;
    }
    const seq = room.last_seq + 1;
    const createdAt = new Date().toISOString();
    try {
      await pool.query({
        ...INSERT_MESSAGE,
        values: [room.id, seq, sender.id, content, createdAt],
      });
    } catch (error) {
      log('INSERT failed:', error.message);
      return sendError(session, ref, 'unavailable', 'could not save the message');
    }
    room.last_seq = seq;
    const message = messageJson(room, seq, sender, content, clientMsgId, createdAt);
    if (retryKey) {
      if (room.sentByClientId.size >= MAX_REMEMBERED_CLIENT_IDS) {
        room.sentByClientId.delete(room.sentByClientId.keys().next().value);
      }
      room.sentByClientId.set(retryKey, message);
    }
    // The sender's ack comes before its own receive_message, as from the gateway.
    if (ref !== undefined)
      send(session, `{"event":"ack","ref":${JSON.stringify(ref)},"data":${message}}`);
    const frame = Buffer.from(`{"event":"receive_message","data":${message}}`);
    for (const member of room.sessions) {
      if (member.ws.readyState === WebSocket.OPEN) member.ws.send(frame, { binary: false });
    }
  });
}

function onSubscribe(session, ref, data) {
  const room = rooms.get(data.room_id);
  const code = accessCode(room, session.user);
  if (code) return sendError(session, ref, code, 'room_id: no access');
  const since = data.since_seq;
  if (since === undefined || since === null) {
    room.sessions.add(session);
    session.rooms.add(room);
    if (ref !== undefined)
      send(session, frameText('ack', ref, { room_id: room.id, last_seq: room.last_seq }));
    return;
  }
  if (!Number.isSafeInteger(since) || since < 0)
    return sendError(session, ref, 'invalid_argument', 'since_seq: a whole number >= 0');
  // In the room's queue, so no send is between its INSERT and its broadcast: the rows read are
  // exactly the messages broadcast so far, and live ones follow the replay in order.
  enqueue(room, async () => {
    let rows;
    try {
      ({ rows } = await pool.query({
        ...SELECT_SINCE,
        values: [room.id, since, REPLAY_LIMIT + 1],
      }));
    } catch (error) {
      log('replay failed:', error.message);
      return sendError(session, ref, 'unavailable', 'could not read the history');
    }
    if (session.ws.readyState !== WebSocket.OPEN) return;
    if (rows.length > REPLAY_LIMIT) {
      send(
        session,
        frameText('resync_required', undefined, { room_id: room.id, last_seq: room.last_seq }),
      );
    } else {
      for (const row of rows) {
        const senderId = row.sender;
        const createdAt = row.created_at.toISOString();
        const message = messageJson(
          room,
          Number(row.seq),
          { id: senderId },
          row.content,
          '',
          createdAt,
        );
        send(session, `{"event":"receive_message","data":${message}}`);
      }
    }
    room.sessions.add(session);
    session.rooms.add(room);
    if (ref !== undefined)
      send(session, frameText('ack', ref, { room_id: room.id, last_seq: room.last_seq }));
  });
}

function onUnsubscribe(session, ref, data) {
  const room = rooms.get(data.room_id);
  if (room) {
    room.sessions.delete(session);
    session.rooms.delete(room);
  }
  if (ref !== undefined) send(session, frameText('ack', ref, { room_id: data.room_id }));
}

// ---------------------------------------------------------------------------------------------

let stopping = false;
let pool = null;
let server = null;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  for (const session of sessions) session.ws.terminate();
  server?.close();
  server?.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
  (pool ? pool.end() : Promise.resolve()).finally(() => process.exit(0));
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

pool = await openDatabase(args.pg);
server = http.createServer(onRequest);
server.keepAliveTimeout = 120_000; // loadgen's setup reuses its connections between steps
server.headersTimeout = 125_000;
server.on('upgrade', onUpgrade);
server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  log(
    `listening on http://127.0.0.1:${port} (pid ${process.pid}, ${POOL_SIZE} PostgreSQL connections)`,
  );
});
