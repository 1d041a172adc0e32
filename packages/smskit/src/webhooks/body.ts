/**
 * Reads a request body without ever holding more than `maxBytes` of it: a declared length over the
 * limit is refused before reading, and a chunked body is cut off (the stream cancelled) as soon as
 * it passes the limit. `request.arrayBuffer()` would buffer whatever the sender pushes.
 */

export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; status: 400 | 413; reason: string };

export async function readBoundedBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (!/^\s*\d+\s*$/.test(declared)) return { ok: false, status: 400, reason: "invalid Content-Length" };
    if (Number(declared) > maxBytes) {
      return { ok: false, status: 413, reason: `the body is larger than ${maxBytes} bytes` };
    }
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, status: 413, reason: `the body is larger than ${maxBytes} bytes` };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, status: 400, reason: "the body could not be read" };
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0] as Uint8Array };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
