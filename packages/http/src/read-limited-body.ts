/**
 * Reads the body of a fetch `Request` or `Response`, at most `limit` bytes:
 * refused by `Content-Length` before reading, or counted while reading, in
 * which case the stream is cancelled there. Shared by the fetch handler (beat
 * requests) and the client (ack responses), so neither can be made to buffer
 * without bound.
 */
export async function readLimitedBody(
  message: { readonly headers: Headers; readonly body: ReadableStream<Uint8Array> | null },
  limit: number,
): Promise<Uint8Array | undefined> {
  const declared = message.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) {
    await message.body?.cancel().catch(() => {})
    return undefined
  }
  if (message.body === null) return new Uint8Array(0)
  const reader = message.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > limit) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}
