// Draws the app's PWA icons (public/icons/*.png) with no dependency: a speech bubble on the brand
// colour, rendered per pixel with 4x4 supersampling and written as PNG with node:zlib. The SVG
// icon (public/icons/icon.svg) is the same drawing by hand. Run `npm run icons` after a change
// and commit the PNGs.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const kBrand = [79, 70, 229]; // #4f46e5
const kWhite = [255, 255, 255];

// Coverage of the drawing at (x, y) in a unit square; `inset` shrinks it (maskable safe zone).
function shape(x, y, rounded, inset) {
  const s = (v) => (v - inset) / (1 - 2 * inset);
  const u = s(x);
  const v = s(y);
  // The bubble: an ellipse and a tail at its lower left.
  const inBubble = ((u - 0.5) / 0.34) ** 2 + ((v - 0.46) / 0.27) ** 2 <= 1;
  const inTail = v >= 0.6 && v <= 0.82 && u >= 0.26 && u <= 0.42 && u - 0.26 <= (0.82 - v) * 0.75;
  const dots = [0.36, 0.5, 0.64].some((cx) => (u - cx) ** 2 + (v - 0.46) ** 2 <= 0.045 ** 2);
  if ((inBubble || inTail) && !dots) return "fg";
  if (rounded) {
    const r = 0.2;
    const dx = Math.max(r - x, 0, x - (1 - r));
    const dy = Math.max(r - y, 0, y - (1 - r));
    if (dx * dx + dy * dy > r * r) return "none";
  }
  return "bg";
}

function render(size, { rounded, inset }) {
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const kind = shape((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size, rounded, inset);
          if (kind === "none") continue;
          const c = kind === "fg" ? kWhite : kBrand;
          r += c[0]; g += c[1]; b += c[2]; a += 1;
        }
      const o = 1 + px * 4;
      row[o] = a ? Math.round(r / a) : 0;
      row[o + 1] = a ? Math.round(g / a) : 0;
      row[o + 2] = a ? Math.round(b / a) : 0;
      row[o + 3] = Math.round((a / 16) * 255);
    }
    rows.push(row);
  }
  return png(size, size, Buffer.concat(rows));
}

function png(width, height, raw) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const out = new URL("../public/icons/", import.meta.url);
writeFileSync(new URL("icon-192.png", out), render(192, { rounded: true, inset: 0.06 }));
writeFileSync(new URL("icon-512.png", out), render(512, { rounded: true, inset: 0.06 }));
writeFileSync(new URL("maskable-512.png", out), render(512, { rounded: false, inset: 0.16 }));
writeFileSync(new URL("apple-touch-icon.png", out), render(180, { rounded: false, inset: 0.1 }));
console.log("icons written to public/icons/");
