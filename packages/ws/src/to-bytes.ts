/**
 * Turns whatever a WebSocket implementation delivers as a message into the
 * plain `Uint8Array` the core expects, without copying when it can.
 * Runs in browsers too: no Node API is used (a Node `Buffer` is handled as
 * the `Uint8Array` it is).
 */

const utf8 = new TextEncoder()

/**
 * `ArrayBuffer` → a view of it; a `Uint8Array` (a Buffer too) → itself, no
 * view per message (the core reads frames by index and copies what it keeps
 * with `new Uint8Array(…)`, which copies a Buffer as well); any other typed
 * array → a `Uint8Array` view of the same bytes; an array of chunks
 * (`ws` fragments) → one joined copy; a string (a text message) → its UTF-8
 * bytes. Anything else (a `Blob`, which cannot be read synchronously) →
 * `undefined`, and the message is dropped.
 */
export function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  // A Buffer is a Uint8Array: handed over as it is (the core reads it by index), no view per message.
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (typeof data === 'string') return utf8.encode(data)
  if (Array.isArray(data)) {
    const parts = data.map(toBytes)
    if (parts.some((part) => part === undefined)) return undefined
    const out = new Uint8Array(parts.reduce((total, part) => total + (part as Uint8Array).length, 0))
    let offset = 0
    for (const part of parts as Uint8Array[]) {
      out.set(part, offset)
      offset += part.length
    }
    return out
  }
  return undefined
}
