// The committed generated types must be exactly what the gateway's OpenAPI document generates:
// from the repository's file, and (with a gateway) from the document it serves.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { gatewayUrl, needsGateway } from "./helpers.js";

// tools/web/sdk (this file runs from .test-build/test/).
const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const openapiJson = resolve(sdkDir, "../../../gateway/openapi/openapi.json");

function check(...extra: string[]) {
  return spawnSync(process.execPath, [join(sdkDir, "scripts/generate-types.mjs"), "--check", ...extra], {
    encoding: "utf8",
  });
}

test("src/generated/openapi.ts matches gateway/openapi/openapi.json", () => {
  const run = check();
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});

test("src/generated/openapi.ts matches the document the gateway serves", needsGateway, () => {
  const run = check("--from", `${gatewayUrl}/v1/openapi.json`);
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});

test("the drift check fails when the document changes", () => {
  const doc = JSON.parse(readFileSync(openapiJson, "utf8"));
  doc.components.schemas.Message.properties.drift_probe = { type: "string" };
  const dir = mkdtempSync(join(tmpdir(), "chatter-sdk-drift-"));
  try {
    const changed = join(dir, "openapi.json");
    writeFileSync(changed, JSON.stringify(doc));
    const run = check("--from", changed);
    assert.equal(run.status, 1, `${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /out of date/);
    assert.match(run.stderr, /npm run generate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
