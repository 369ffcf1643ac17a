#!/usr/bin/env python3
"""Calling ChatterStack's server API (chatter.chat.v1.ChatAdmin) from a Python service.

A runnable example and documentation in one: get a service token from auth-svc, post a bot
message, add a member to a room, disconnect a user. Each step prints one JSON line on stdout;
a failure prints the gRPC status on stderr and exits with its code (1-16).

Needs grpcio and protobuf (Debian: apt-get install python3-grpcio; run Debian's python3) and a
proto compiler: Debian's protoc + grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc)
or pip's grpcio-tools. Stubs are generated from the repository's proto/ at run time and cached.

  export CHATTER_EXAMPLE_CLIENT_SECRET=...   # from the environment: secrets stay out of `ps`
  python3 tools/examples/python/chatter_admin.py --client-id example-platform \\
      --room ROOM_ID --text "hello from a bot" --add-member USER_ID --disconnect USER_ID
"""

import argparse
import hashlib
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

try:
    import grpc
except ImportError:
    # A python3 of its own (pyenv, a venv) earlier on PATH than Debian's, which has python3-grpcio:
    # run again with Debian's, once.
    DEBIAN_PYTHON = "/usr/bin/python3"
    if (os.path.exists(DEBIAN_PYTHON) and not os.environ.get("CHATTER_EXAMPLE_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)):
        os.environ["CHATTER_EXAMPLE_REEXEC"] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, *sys.argv])
    sys.exit("chatter_admin: grpcio is missing: apt-get install python3-grpcio (and run Debian's "
             "/usr/bin/python3), or pip install grpcio protobuf grpcio-tools")

PROTO_ROOT = pathlib.Path(__file__).resolve().parents[3] / "proto"
PROTOS = ["chatter/api/http.proto", "chatter/common/v1/common.proto",
          "chatter/common/v1/error.proto", "chatter/auth/v1/auth.proto",
          "chatter/chat/v1/admin.proto"]

# Codes after which the same call may simply be sent again. For writes this is safe only because
# every retry carries the SAME idempotency key: the server answers a repeated key with the first
# call's response instead of doing the work twice. DEADLINE_EXCEEDED is in the list because the
# first attempt may or may not have run; the key makes both cases come out the same.
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED,
             grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED}
MAX_ATTEMPTS = 5


def load_stubs():
    """Generates the Python modules for PROTOS once per proto content and imports them."""
    digest = hashlib.sha256(b"".join((PROTO_ROOT / p).read_bytes() for p in PROTOS)).hexdigest()
    cache = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache")
    out = cache / "chatterstack-examples" / f"python-{digest[:16]}"
    if not out.is_dir():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = pathlib.Path(tempfile.mkdtemp(dir=out.parent))
        protoc = shutil.which("protoc")
        plugin = shutil.which("grpc_python_plugin")
        if protoc and plugin:  # Debian's protobuf-compiler + protobuf-compiler-grpc
            cmd = [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"]
        else:  # pip's grpcio-tools (Debian 12's python3-grpc-tools bundles protoc 3.5, which
            import grpc_tools  # refuses proto3 `optional` fields)
            cmd = [sys.executable, "-m", "grpc_tools.protoc",
                   f"-I{pathlib.Path(grpc_tools.__file__).parent / '_proto'}"]
        cmd += [f"-I{PROTO_ROOT}", f"--python_out={tmp}", f"--grpc_python_out={tmp}", *PROTOS]
        try:
            subprocess.run(cmd, check=True)
            tmp.rename(out)  # atomic: a concurrent run either wins or finds it done
        except OSError:
            if not out.is_dir():
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # gone already when the rename won
    sys.path.insert(0, str(out))
    from chatter.auth.v1 import auth_pb2, auth_pb2_grpc
    from chatter.chat.v1 import admin_pb2, admin_pb2_grpc
    from chatter.common.v1 import error_pb2
    return auth_pb2, auth_pb2_grpc, admin_pb2, admin_pb2_grpc, error_pb2


def error_details(err, error_pb2):
    """ChatterStack's chatter.common.v1.ErrorDetails from the grpc-status-details-bin trailer:
    the invalid fields, and for RESOURCE_EXHAUSTED how long to wait."""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return error_pb2.ErrorDetails.FromString(value)
    return error_pb2.ErrorDetails()


class CallFailed(Exception):
    def __init__(self, step, err, details):
        fields = "".join(f" [{v.field}: {v.reason}]" for v in details.field_violations)
        super().__init__(f"{step}: {err.code().name}: {err.details()}{fields}")
        self.code = err.code()


def retry_delay(err, details, attempt):
    """The server's delay for RESOURCE_EXHAUSTED, else exponential backoff with jitter."""
    if err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and details.retry_after_seconds > 0:
        return details.retry_after_seconds
    return min(2.0, 0.1 * 2 ** attempt) * random.uniform(0.5, 1.0)


def call(step, method, request, args, error_pb2, metadata=()):
    """One RPC with a deadline on every attempt, retried on RETRYABLE codes with the same request
    (hence the same idempotency key). Returns (response, attempts)."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return method(request, timeout=args.timeout, metadata=metadata), attempt
        except grpc.RpcError as err:
            details = error_details(err, error_pb2)
            if err.code() not in RETRYABLE or attempt == MAX_ATTEMPTS:
                raise CallFailed(step, err, details) from None
            time.sleep(retry_delay(err, details, attempt))


def emit(**fields):
    print(json.dumps(fields), flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--auth", default="127.0.0.1:50051", help="auth-svc gRPC address")
    p.add_argument("--chat", default="127.0.0.1:50052", help="chat-svc gRPC address")
    p.add_argument("--client-id", required=True, help="service principal (CHATTER_SERVICE_CLIENTS)")
    p.add_argument("--client-secret", default=os.environ.get("CHATTER_EXAMPLE_CLIENT_SECRET"),
                   help="prefer env CHATTER_EXAMPLE_CLIENT_SECRET: arguments show in `ps`")
    p.add_argument("--room", help="room id for --text and --add-member")
    p.add_argument("--text", help="post this as a bot message into --room")
    p.add_argument("--sender-id", default="", help="the bot's user id (default: anonymous bot)")
    p.add_argument("--add-member", metavar="USER", help="add this user id to --room")
    p.add_argument("--disconnect", metavar="USER", help="close this user's WebSockets (1008)")
    p.add_argument("--reason", default="disconnected by moderation", help="close reason")
    p.add_argument("--revoke", action="store_true", help="with --disconnect: end the user's logins")
    p.add_argument("--timeout", type=float, default=5.0, help="deadline of each call, seconds")
    args = p.parse_args()
    if not args.client_secret:
        p.error("no secret: set CHATTER_EXAMPLE_CLIENT_SECRET (or --client-secret)")
    if (args.text or args.add_member) and not args.room:
        p.error("--text and --add-member need --room")
    return args


def main():
    args = parse_args()
    auth_pb2, auth_grpc, admin_pb2, admin_grpc, error_pb2 = load_stubs()

    # Plaintext for the local stack; in production use grpc.secure_channel(addr,
    # grpc.ssl_channel_credentials()).
    with grpc.insecure_channel(args.auth) as auth_ch, grpc.insecure_channel(args.chat) as chat_ch:
        # 1. A service token (valid expires_in seconds; a long-running service renews it early).
        token, _ = call("issue_service_token", auth_grpc.AuthServiceStub(auth_ch).IssueServiceToken,
                        auth_pb2.IssueServiceTokenRequest(client_id=args.client_id,
                                                          client_secret=args.client_secret),
                        args, error_pb2)
        emit(step="issue_service_token", principal=args.client_id, expires_in=token.expires_in)
        auth = (("authorization", f"Bearer {token.access_token}"),)
        admin = admin_grpc.ChatAdminStub(chat_ch)

        # 2. A bot message. The key is made ONCE per logical message, before the first attempt.
        if args.text:
            request = admin_pb2.PostMessageRequest(
                idempotency_key=str(uuid.uuid4()), room_id=args.room, sender_kind="bot",
                sender_id=args.sender_id, content=args.text)
            reply, attempts = call("post_message", admin.PostMessage, request, args, error_pb2,
                                   auth)
            emit(step="post_message", room_id=args.room, message_id=reply.message.id,
                 seq=reply.message.seq, sender_kind=reply.message.sender_kind,
                 idempotency_key=request.idempotency_key, attempts=attempts)

        # 3. A new member (created false: was a member already).
        if args.add_member:
            request = admin_pb2.AdminAddMemberRequest(
                idempotency_key=str(uuid.uuid4()), room_id=args.room, user_id=args.add_member)
            reply, attempts = call("add_member", admin.AddMember, request, args, error_pb2, auth)
            emit(step="add_member", room_id=args.room, user_id=args.add_member,
                 created=reply.created, role=reply.role, attempts=attempts)

        # 4. Close the user's live WebSockets with 1008 (policy violation) and a reason.
        if args.disconnect:
            request = admin_pb2.DisconnectUserRequest(
                idempotency_key=str(uuid.uuid4()), user_id=args.disconnect, close_code=1008,
                reason=args.reason, revoke_sessions=args.revoke)
            reply, attempts = call("disconnect_user", admin.DisconnectUser, request, args,
                                   error_pb2, auth)
            emit(step="disconnect_user", user_id=args.disconnect, close_code=1008,
                 reason=args.reason, revoked_logins=reply.revoked_logins, attempts=attempts)


if __name__ == "__main__":
    try:
        main()
    except CallFailed as failure:
        print(f"chatter_admin: {failure}", file=sys.stderr)
        sys.exit(failure.code.value[0])  # the gRPC status code, e.g. 7 for PERMISSION_DENIED
