// Vite plugin: builds src/sw/sw.ts into dist/sw.js (a classic script, no imports) and writes the
// app shell's file list and a version derived from it into it, so each build gets a new cache
// and the old one is dropped on activation.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Plugin } from "vite";

const kPlaceholder = "self.__APP_SHELL__";

export function serviceWorkerPlugin(): Plugin {
  let base = "/";
  let publicDir = "";
  return {
    name: "chatterstack-service-worker",
    apply: "build",
    configResolved(config) {
      base = config.base;
      publicDir = config.publicDir;
    },
    buildStart() {
      this.emitFile({ type: "chunk", id: "src/sw/sw.ts", fileName: "sw.js" });
    },
    generateBundle(_options, bundle) {
      const sw = bundle["sw.js"];
      if (!sw || sw.type !== "chunk") this.error("sw.js was not built");
      if (sw.imports.length > 0 || /^\s*(import|export)\b/m.test(sw.code))
        this.error(`sw.js must be self-contained (imports ${sw.imports.join(", ")})`);
      // The shell: the page, its scripts and styles, the manifest and the icons (public/).
      const files = [...Object.keys(bundle), ...listFiles(publicDir)]
        .filter((name) => name !== "sw.js" && !name.endsWith(".map"))
        .sort();
      const shell = files.filter((name) => name !== "index.html").map((name) => base + name);
      const version = createHash("sha256").update(files.join("\n")).update(contentOf(bundle)).digest("hex").slice(0, 12);
      const value = JSON.stringify({ version, files: shell, index: `${base}index.html`, base });
      if (!sw.code.includes(kPlaceholder)) this.error(`sw.js lost its ${kPlaceholder} placeholder`);
      sw.code = sw.code.replace(kPlaceholder, value);
    },
  };
}

function contentOf(bundle: Record<string, { type: string; code?: string; source?: string | Uint8Array }>): string {
  return Object.keys(bundle)
    .sort()
    .map((name) => {
      const item = bundle[name];
      if (name === "sw.js") return "";
      if (item.type === "chunk") return item.code ?? "";
      return typeof item.source === "string" ? item.source : String(item.source?.length ?? 0);
    })
    .join("\n");
}

function listFiles(dir: string, root = dir): string[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, root) : [relative(root, path).split("\\").join("/")];
  });
}
