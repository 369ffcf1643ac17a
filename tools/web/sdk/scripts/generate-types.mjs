// Generates src/generated/openapi.ts from the gateway's OpenAPI document with openapi-typescript,
// or, with --check, fails when the committed file differs from what the document generates now.
//   node scripts/generate-types.mjs [--check] [--from <path or http(s) URL>]
// The default source is gateway/openapi/openapi.json, the document GET /v1/openapi.json serves.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(sdkDir, "../../..");
const target = join(sdkDir, "src/generated/openapi.ts");
const header =
  "// Generated from the gateway's OpenAPI document (gateway/openapi/openapi.json) by\n" +
  "// `npm run generate` in tools/web/sdk. Do not edit: a test fails when it drifts.\n";

function parseArgs(argv) {
  const args = { check: false, from: join(repoDir, "gateway/openapi/openapi.json") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--check") args.check = true;
    else if (argv[i] === "--from" && i + 1 < argv.length) args.from = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

// openapi-typescript's CLI, found through its package.json so no shell or PATH is involved.
function cliPath() {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("openapi-typescript/package.json");
  const bin = JSON.parse(readFileSync(pkgPath, "utf8")).bin;
  return join(dirname(pkgPath), typeof bin === "string" ? bin : bin["openapi-typescript"]);
}

// The file the document generates today, as text.
export function generate(from) {
  const dir = mkdtempSync(join(tmpdir(), "chatter-sdk-gen-"));
  try {
    const out = join(dir, "openapi.ts");
    const run = spawnSync(process.execPath, [cliPath(), from, "--output", out], {
      encoding: "utf8",
    });
    if (run.status !== 0) {
      throw new Error(`openapi-typescript failed (${run.status}):\n${run.stdout}${run.stderr}`);
    }
    return header + readFileSync(out, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const fresh = generate(args.from);
  const shown = relative(process.cwd(), target) || target;
  if (!args.check) {
    writeFileSync(target, fresh);
    console.log(`wrote ${shown} from ${args.from}`);
    return;
  }
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // A missing file is drift too.
  }
  if (committed !== fresh) {
    const a = committed.split("\n");
    const b = fresh.split("\n");
    let line = 0;
    while (line < a.length && line < b.length && a[line] === b[line]) line++;
    console.error(
      `${shown} is out of date with ${args.from} (first difference at line ${line + 1}:\n` +
        `  committed: ${JSON.stringify(a[line] ?? "<end of file>")}\n` +
        `  generated: ${JSON.stringify(b[line] ?? "<end of file>")}).\n` +
        "Run `npm run generate` in tools/web/sdk and commit the result.",
    );
    process.exit(1);
  }
  console.log(`${shown} matches ${args.from}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
