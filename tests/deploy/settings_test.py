#!/usr/bin/env python3
"""The ECS task definitions (deploy/ecs/*.task.json) and the Terraform module (deploy/terraform/,
which takes each process's settings from those files) against the binaries of this build:

- every CHATTER_* setting a task definition sets (environment or secret) is one its binary
  knows (the binary's "starting" line lists every setting it reads): no removed or misspelt
  setting remains;
- the binary accepts the task definition's settings, with test values for its secrets: every
  required setting is there and every value is valid (it gets as far as "starting" and logs no
  "invalid ..." line);
- every value main.tf's deployment_values sets is a setting of that task definition;
- `terraform fmt -check` passes (when terraform is on PATH; providers cannot be downloaded
  here, so nothing more of Terraform is validated; deploy/README.md says so).

Usage: settings_test.py <repository root> <build dir>
"""
import json
import os
import re
import shutil
import subprocess
import sys

PROCESSES = {
    "auth-svc": "services/auth/auth-svc",
    "chat-svc": "services/chat/chat-svc",
    "realtime-svc": "services/realtime/realtime-svc",
    "gateway": "gateway/gateway",
}
CLIENT_SECRET = "settings-test-secret-0123456789"


def secret_values(build):
    signing_key = subprocess.run([os.path.join(build, PROCESSES["auth-svc"]), "genkey", "k1"],
                                 check=True, capture_output=True, text=True).stdout.strip()
    return {
        "CHATTER_DATABASE_URL": "postgresql://chatter:secret@127.0.0.1:1/chatter",
        "CHATTER_REDIS_URL": "redis://:secret@127.0.0.1:1",
        "CHATTER_JWT_SIGNING_KEYS": signing_key,
        "CHATTER_SERVICE_CLIENTS": ",".join(
            f"{p}:{CLIENT_SECRET}" for p in ("chat-svc", "realtime-svc", "gateway")),
        "CHATTER_SERVICE_CLIENT_SECRET": CLIENT_SECRET,
    }


def run_until_started(binary, env):
    """The JSON lines the binary logs within 3 s with only `env` (it is then stopped)."""
    process = subprocess.Popen([binary], env={"PATH": "/usr/bin:/bin", **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        process.terminate()
        output, _ = process.communicate()
    lines = []
    for line in output.splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return lines


def braced(text, open_at):
    """The text between the brace at `open_at` and its match (interpolations are balanced too)."""
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[open_at + 1:i]
    raise ValueError("unbalanced braces in main.tf")


def deployment_values(main_tf, process):
    """The body of `process`'s entry in main.tf's deployment_values map."""
    values = re.search(r"deployment_values\s*=\s*\{", main_tf)
    if not values:
        raise ValueError("main.tf has no deployment_values")
    body = braced(main_tf, values.end() - 1)
    entry = re.search(r'"' + re.escape(process) + r'"\s*=\s*\{', body)
    return braced(body, entry.end() - 1) if entry else ""


def main(root, build):
    failures = []
    secrets = secret_values(build)
    main_tf = open(os.path.join(root, "deploy/terraform/main.tf")).read()
    for process, path in PROCESSES.items():
        task = json.load(open(os.path.join(root, f"deploy/ecs/{process}.task.json")))
        container = task["containerDefinitions"][0]
        environment = {e["name"]: e["value"] for e in container["environment"]}
        secret_names = [s["name"] for s in container.get("secrets", [])]
        env = dict(environment)
        for name in secret_names:
            if name not in secrets:
                failures.append(f"{process}: no test value for the secret setting {name}")
            else:
                env[name] = secrets[name]

        lines = run_until_started(os.path.join(build, path), env)
        started = [l for l in lines if l.get("message") == "starting"]
        invalid = [l for l in lines if l.get("level") == "critical" and "invalid" in l.get("message", "")]
        if not started or invalid:
            failures.append(f"{process}: the binary refuses the task definition's settings: "
                            f"{(invalid or lines[-1:] or ['no output'])[0]}")
            continue
        known = set(started[0]["fields"]["config"])
        for name in sorted(set(environment) | set(secret_names)):
            if name not in known:
                failures.append(f"{process}: {name} is set in deploy/ecs/{process}.task.json "
                                f"but {process} has no such setting")

        overridden = re.findall(r"(CHATTER_[A-Z0-9_]+)\s*=", deployment_values(main_tf, process))
        for name in overridden:
            if name not in environment:
                failures.append(f"{process}: deploy/terraform/main.tf sets {name}, which "
                                f"deploy/ecs/{process}.task.json does not have")
        print(f"{process}: {len(environment)} settings and {len(secret_names)} secrets accepted; "
              f"Terraform replaces {len(overridden)} of them")

    terraform = shutil.which("terraform")
    if terraform:
        fmt = subprocess.run([terraform, "fmt", "-check", "-recursive",
                              os.path.join(root, "deploy/terraform")],
                             capture_output=True, text=True)
        if fmt.returncode != 0:
            failures.append(f"terraform fmt -check: {fmt.stdout.strip()}")
        else:
            print("terraform fmt -check: ok")
    else:
        print("terraform fmt -check not run: no terraform on PATH")

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
