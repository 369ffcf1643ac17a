#!/usr/bin/env node
// Builds the landing page into dist/ (or --out DIR): a copy of src/ plus the Postman collection
// (served at postman/chatterstack.postman_collection.json), after checking that the pages keep
// to what the gateway's Content-Security-Policy allows (no inline scripts, styles or handlers, no
// resources from other origins). Plain Node.js (18+), no dependencies, so no npm install.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const src = join(here, 'src');
const postman = join(repo, 'tools/postman/chatterstack.postman_collection.json');

function parseOut(argv) {
  const index = argv.indexOf('--out');
  if (index === -1) return join(here, 'dist');
  if (!argv[index + 1]) throw new Error('--out needs a directory');
  return resolve(argv[index + 1]);
}

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

// What the CSP (default-src 'self'; no 'unsafe-inline') would block in the browser, found here.
function cspProblems(name, html) {
  const problems = [];
  const rules = [
    [/<script(?![^>]*\bsrc=)[^>]*>/i, 'an inline <script>'],
    [/<style[\s>]/i, 'a <style> element'],
    [/\sstyle\s*=/i, 'a style= attribute'],
    [/\son[a-z]+\s*=/i, 'an inline event handler (on...=)'],
    [/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i, 'a resource from another origin'],
    [/javascript:/i, 'a javascript: URL'],
  ];
  for (const [pattern, what] of rules) {
    if (pattern.test(html)) problems.push(`${name}: ${what} (the gateway's CSP blocks it)`);
  }
  return problems;
}

function build(out) {
  const problems = [];
  for (const path of files(src)) {
    if (path.endsWith('.html')) problems.push(...cspProblems(relative(here, path), readFileSync(path, 'utf8')));
  }
  if (problems.length) throw new Error(problems.join('\n'));
  if (!existsSync(postman)) throw new Error(`missing ${relative(repo, postman)}`);
  rmSync(out, { recursive: true, force: true });
  cpSync(src, out, { recursive: true });
  mkdirSync(join(out, 'postman'), { recursive: true });
  cpSync(postman, join(out, 'postman', 'chatterstack.postman_collection.json'));
  return [...files(out)].length;
}

try {
  const out = parseOut(process.argv.slice(2));
  const count = build(out);
  console.log(`landing page: ${count} files in ${relative(process.cwd(), out) || '.'}`);
} catch (error) {
  console.error(`landing page build failed: ${error.message}`);
  process.exit(1);
}
