#!/usr/bin/env node
// Calling ChatterStack's server API (chatter.chat.v1.ChatAdmin) from a Node.js service.
//
// A runnable example and documentation in one: get a service token from auth-svc, post a bot
// message, add a member to a room, disconnect a user. Each step prints one JSON line on stdout;
// a failure prints the gRPC status on stderr and exits with its code (1-16). The same CLI as
// tools/examples/python/chatter_admin.py. Install once: `npm ci` in this directory.
//
//   export CHATTER_EXAMPLE_CLIENT_SECRET=...   # from the environment: secrets stay out of `ps`
//   node tools/examples/node/chatter_admin.mjs --client-id example-platform \
//       --room ROOM_ID --text "hello from a bot" --add-member USER_ID --disconnect USER_ID
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

// Codes after which the same call may simply be sent again. For writes this is safe only because
// every retry carries the SAME idempotency key: the server answers a repeated key with the first
// call's response instead of doing the work twice. DEADLINE_EXCEEDED is in the list because the
// first attempt may or may not have run; the key makes both cases come out the same.
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED,
  grpc.status.RESOURCE_EXHAUSTED, grpc.status.DEADLINE_EXCEEDED]);
const MAX_ATTEMPTS = 5;

const USAGE = `usage: chatter_admin.mjs [--auth ADDR] [--chat ADDR] --client-id ID
    [--client-secret S] [--room ROOM] [--text TEXT] [--sender-id USER] [--add-member USER]
    [--disconnect USER] [--reason TEXT] [--revoke] [--timeout SECONDS]
The secret is read from CHATTER_EXAMPLE_CLIENT_SECRET unless --client-secret is given.`;

// The CLI, as tools/examples/python/chatter_admin.py has it.
const OPTIONS = {
  auth: { type: 'string', default: '127.0.0.1:50051' }, // auth-svc gRPC address
  chat: { type: 'string', default: '127.0.0.1:50052' }, // chat-svc gRPC address
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' }, // prefer CHATTER_EXAMPLE_CLIENT_SECRET
  room: { type: 'string' },
  text: { type: 'string' },
  'sender-id': { type: 'string', default: '' }, // the bot's user id; "" = anonymous bot
  'add-member': { type: 'string' },
  disconnect: { type: 'string' },
  reason: { type: 'string', default: 'disconnected by moderation' },
  revoke: { type: 'boolean', default: false },
  timeout: { type: 'string', default: '5' }, // deadline of each call, seconds
  help: { type: 'boolean', short: 'h', default: false },
};

function parseCli() {
  const fail = (message) => {
    console.error(`${USAGE}\nchatter_admin: ${message}`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({ options: OPTIONS }));
  } catch (err) {
    fail(err.message); // an unknown option or a missing value
  }
  if (values.help) { console.log(USAGE); process.exit(0); }
  if (!values['client-id']) fail('--client-id is required');
  values['client-secret'] ??= process.env.CHATTER_EXAMPLE_CLIENT_SECRET;
  if (!values['client-secret']) {
    fail('no secret: set CHATTER_EXAMPLE_CLIENT_SECRET (or --client-secret)');
  }
  if ((values.text || values['add-member']) && !values.room) {
    fail('--text and --add-member need --room');
  }
  return { ...values, timeoutMs: Number(values.timeout) * 1000 };
}

// The services' .proto files, loaded at run time: snake_case field names as in the proto, int64
// as JS numbers (seq stays far below 2^53), unset fields filled with their defaults.
function loadServices() {
  const definition = protoLoader.loadSync(
    ['chatter/auth/v1/auth.proto', 'chatter/chat/v1/admin.proto'],
    { includeDirs: [PROTO_ROOT], keepCase: true, longs: Number, enums: String, defaults: true },
  );
  const root = grpc.loadPackageDefinition(definition);
  // ChatterStack's error details (grpc-status-details-bin trailer): the invalid fields, and for
  // RESOURCE_EXHAUSTED how long to wait.
  const errorDetails = protobuf.loadSync(join(PROTO_ROOT, 'chatter/common/v1/error.proto'))
    .lookupType('chatter.common.v1.ErrorDetails');
  return {
    AuthService: root.chatter.auth.v1.AuthService,
    ChatAdmin: root.chatter.chat.v1.ChatAdmin,
    errorDetails,
  };
}

class CallFailed extends Error {
  constructor(step, err, details) {
    const fields = (details.fieldViolations ?? [])
      .map((v) => ` [${v.field}: ${v.reason}]`).join('');
    super(`${step}: ${grpc.status[err.code]}: ${err.details}${fields}`);
    this.code = err.code;
  }
}

function decodeDetails(err, errorDetails) {
  const [raw] = err.metadata?.get('grpc-status-details-bin') ?? [];
  return raw ? errorDetails.toObject(errorDetails.decode(raw), { defaults: true }) : {};
}

// The server's delay for RESOURCE_EXHAUSTED, else exponential backoff with jitter.
function retryDelayMs(err, details, attempt) {
  if (err.code === grpc.status.RESOURCE_EXHAUSTED && details.retryAfterSeconds > 0) {
    return details.retryAfterSeconds * 1000;
  }
  return Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

// One RPC with a deadline on every attempt, retried on RETRYABLE codes with the same request
// (hence the same idempotency key). Resolves to [response, attempts].
async function call(step, client, method, request, args, errorDetails,
  metadata = new grpc.Metadata()) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await new Promise((resolve, reject) => {
        client[method](request, metadata, { deadline: Date.now() + args.timeoutMs },
          (err, reply) => (err ? reject(err) : resolve(reply)));
      });
      return [response, attempt];
    } catch (err) {
      if (err.code === undefined) throw err;
      const details = decodeDetails(err, errorDetails);
      if (!RETRYABLE.has(err.code) || attempt === MAX_ATTEMPTS) {
        throw new CallFailed(step, err, details);
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(err, details, attempt)));
    }
  }
}

const emit = (fields) => console.log(JSON.stringify(fields));

async function main() {
  const args = parseCli();
  const { AuthService, ChatAdmin, errorDetails } = loadServices();
  // Plaintext for the local stack; in production use grpc.credentials.createSsl().
  const auth = new AuthService(args.auth, grpc.credentials.createInsecure());
  const admin = new ChatAdmin(args.chat, grpc.credentials.createInsecure());
  try {
    // 1. A service token (valid expires_in seconds; a long-running service renews it early).
    const [token] = await call('issue_service_token', auth, 'IssueServiceToken',
      { client_id: args['client-id'], client_secret: args['client-secret'] }, args, errorDetails);
    emit({ step: 'issue_service_token', principal: args['client-id'],
      expires_in: token.expires_in });
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token.access_token}`);
    const callAdmin = (step, method, request) =>
      call(step, admin, method, request, args, errorDetails, metadata);

    // 2. A bot message. The key is made ONCE per logical message, before the first attempt.
    if (args.text) {
      const request = { idempotency_key: randomUUID(), room_id: args.room, sender_kind: 'bot',
        sender_id: args['sender-id'], content: args.text };
      const [{ message }, attempts] = await callAdmin('post_message', 'PostMessage', request);
      emit({ step: 'post_message', room_id: args.room, message_id: message.id, seq: message.seq,
        sender_kind: message.sender_kind, idempotency_key: request.idempotency_key, attempts });
    }

    // 3. A new member (created false: was a member already).
    if (args['add-member']) {
      const request = { idempotency_key: randomUUID(), room_id: args.room,
        user_id: args['add-member'] };
      const [reply, attempts] = await callAdmin('add_member', 'AddMember', request);
      emit({ step: 'add_member', room_id: args.room, user_id: args['add-member'],
        created: reply.created, role: reply.role, attempts });
    }

    // 4. Close the user's live WebSockets with 1008 (policy violation) and a reason.
    if (args.disconnect) {
      const request = { idempotency_key: randomUUID(), user_id: args.disconnect, close_code: 1008,
        reason: args.reason, revoke_sessions: args.revoke };
      const [reply, attempts] = await callAdmin('disconnect_user', 'DisconnectUser', request);
      emit({ step: 'disconnect_user', user_id: args.disconnect, close_code: 1008,
        reason: args.reason, revoked_logins: reply.revoked_logins, attempts });
    }
  } finally {
    auth.close();
    admin.close();
  }
}

main().catch((err) => {
  console.error(`chatter_admin: ${err.message}`);
  process.exit(err instanceof CallFailed ? err.code : 1); // the gRPC status code, e.g. 7
});
