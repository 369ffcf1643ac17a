// `npm pack` makes a package a team could publish: built JavaScript and types, README and
// LICENSE, no runtime dependencies, and an entry point that loads on its own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

test("npm pack makes a self-contained @chatterstack/client", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chatter-sdk-pack-"));
  try {
    const npm = process.env.npm_execpath;
    const [command, args] = npm ? [process.execPath, [npm]] : ["npm", []];
    const pack = spawnSync(command, [...args, "pack", "--json", "--pack-destination", dir], {
      cwd: sdkDir,
      encoding: "utf8",
    });
    assert.equal(pack.status, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")));
    assert.equal(info.name, "@chatterstack/client");
    assert.equal(info.version, "0.1.0");
    const files = info.files.map((f: { path: string }) => f.path);
    for (const expected of [
      "package.json",
      "README.md",
      "LICENSE",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/session.js",
      "dist/generated/openapi.d.ts",
    ]) {
      assert.ok(files.includes(expected), `${expected} in ${files.join(", ")}`);
    }
    assert.ok(
      !files.some((f: string) => f.startsWith("test/") || f.startsWith("src/") || f.includes("node_modules")),
      files.join(", "),
    );

    const untar = spawnSync("tar", ["-xzf", join(dir, info.filename), "-C", dir], { encoding: "utf8" });
    assert.equal(untar.status, 0, untar.stderr);
    const manifest = JSON.parse(readFileSync(join(dir, "package/package.json"), "utf8"));
    assert.equal(manifest.license, "MIT");
    assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
    assert.equal(manifest.exports["."].types, "./dist/index.d.ts");
    const sdk = await import(pathToFileURL(join(dir, "package/dist/index.js")).href);
    for (const name of [
      "ChatterClient",
      "ChatterSession",
      "ApiError",
      "SessionError",
      "staticToken",
      "backoffDelay",
    ]) {
      assert.equal(typeof sdk[name], "function", name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
