// Reports the production bundle's gzipped size (every .js and .css file in dist/, the service
// worker included) and fails when the total is above the budget (100 KB; issue 15).
// usage: node scripts/size.mjs [dist_dir]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const kBudgetBytes = 100 * 1024;
const dist = process.argv[2] ?? new URL("../dist", import.meta.url).pathname;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

let files;
try {
  files = walk(dist).filter((path) => /\.(js|mjs|css)$/.test(path));
} catch {
  console.error(`size: no ${dist}; run npm run build first`);
  process.exit(2);
}
let total = 0;
for (const path of files.sort()) {
  const raw = readFileSync(path);
  const gzipped = gzipSync(raw, { level: 9 }).length;
  total += gzipped;
  console.log(`${relative(dist, path).padEnd(40)} ${kb(raw.length).padStart(9)} raw ${kb(gzipped).padStart(9)} gzip`);
}
console.log(`total (JS+CSS, gzipped): ${kb(total)} of ${kb(kBudgetBytes)} budget`);
if (total > kBudgetBytes) {
  console.error("size: over budget");
  process.exit(1);
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
