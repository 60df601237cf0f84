/**
 * Writes ui/public/favicon.ico: the dashboard's mark (a blue tile with a
 * rising line, as in favicon.svg) at 32×32, drawn pixel by pixel, stored as
 * a PNG inside an ICO container. Browsers that ask for /favicon.ico get an
 * icon instead of the single-page app's HTML. Run again after changing it:
 *
 *   node scripts/favicon.ts
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const SIZE = 32;
const px = new Uint8Array(SIZE * SIZE * 4);

function blend(x: number, y: number, [r, g, b]: [number, number, number], a: number): void {
  if (x < 0 || y < 0 || x >= SIZE || y >= SIZE || a <= 0) return;
  const i = (y * SIZE + x) * 4;
  const k = Math.min(1, a);
  px[i] = Math.round((px[i] ?? 0) * (1 - k) + r * k);
  px[i + 1] = Math.round((px[i + 1] ?? 0) * (1 - k) + g * k);
  px[i + 2] = Math.round((px[i + 2] ?? 0) * (1 - k) + b * k);
  px[i + 3] = Math.max(px[i + 3] ?? 0, Math.round(255 * k));
}

// Rounded tile (radius 7), anti-aliased by coverage at the corners.
for (let y = 0; y < SIZE; y++)
  for (let x = 0; x < SIZE; x++) {
    const cx = Math.min(Math.max(x + 0.5, 7), SIZE - 7);
    const cy = Math.min(Math.max(y + 0.5, 7), SIZE - 7);
    const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
    blend(x, y, [0x0b, 0x5c, 0xad], 7.5 - d);
  }

function distanceToSegment(x: number, y: number, [ax, ay]: number[], [bx, by]: number[]): number {
  const [dx, dy] = [(bx ?? 0) - (ax ?? 0), (by ?? 0) - (ay ?? 0)];
  const t = Math.max(0, Math.min(1, ((x - (ax ?? 0)) * dx + (y - (ay ?? 0)) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ((ax ?? 0) + t * dx), y - ((ay ?? 0) + t * dy));
}

const line = [[7, 21.5], [12.5, 15], [16.5, 19], [25, 10]];
for (let y = 0; y < SIZE; y++)
  for (let x = 0; x < SIZE; x++) {
    let d = Infinity;
    for (let s = 0; s < line.length - 1; s++) d = Math.min(d, distanceToSegment(x + 0.5, y + 0.5, line[s] ?? [], line[s + 1] ?? []));
    blend(x, y, [255, 255, 255], 2 - d);
    blend(x, y, [0x7f, 0xd6, 0xa0], 3.1 - Math.hypot(x + 0.5 - 25, y + 0.5 - 10));
  }

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) raw.set(px.subarray(y * SIZE * 4, (y + 1) * SIZE * 4), y * (SIZE * 4 + 1) + 1);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);

// ICO: header (reserved 0, type 1, one image) and one directory entry pointing at the PNG.
const header = Buffer.from([0, 0, 1, 0, 1, 0]);
const entry = Buffer.alloc(16);
entry.set([SIZE, SIZE, 0, 0], 0);
entry.writeUInt16LE(1, 4);
entry.writeUInt16LE(32, 6);
entry.writeUInt32LE(png.length, 8);
entry.writeUInt32LE(header.length + entry.length, 12);
writeFileSync(new URL("../ui/public/favicon.ico", import.meta.url), Buffer.concat([header, entry, png]));
console.log(`favicon.ico: ${header.length + entry.length + png.length} bytes`);
