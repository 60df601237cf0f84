/**
 * Reading a webhook body without trusting its size. The 64 KB limit is
 * enforced while the body streams: a declared `Content-Length` above it is
 * refused unread, and a chunked body (no length) is read only until it
 * passes the limit, then the stream is cancelled. Nothing larger than the
 * limit (plus one chunk) is ever held in memory.
 *
 * @module
 */

/** Largest body accepted. TradingView messages are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A body read up to the limit. `bytes` is the size seen (at least the limit + 1 when too large, or the declared length). */
export interface BoundedBody {
  text: string;
  bytes: number;
  tooLarge: boolean;
}

/** Reads at most `max` bytes of the body as UTF-8 text; stops reading as soon as it is over. */
export async function readBoundedBody(request: Request, max = MAX_BODY_BYTES): Promise<BoundedBody> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > max) {
    // Not read at all; the runtime discards the rest of the upload.
    await request.body?.cancel().catch(() => undefined);
    return { text: "", bytes: declared, tooLarge: true };
  }
  if (!request.body) return { text: "", bytes: 0, tooLarge: false };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return { text: "", bytes: total, tooLarge: true };
    }
    chunks.push(value);
  }
  const buf = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    buf.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(buf), bytes: total, tooLarge: false };
}
