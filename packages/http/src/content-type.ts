/**
 * The Content-Type policy of the hb endpoint (README, "Content types"):
 * `application/json` for a JSON frame, `application/octet-stream` for a
 * binary one, no Content-Type at all accepted as before (the core tells the
 * two encodings apart by their first byte), anything else refused with 415.
 *
 * Why refuse: the MAC authenticates the frame whatever the header says, so
 * this is not a security check; it makes a client that sends something else
 * (a form, `text/plain`, a multipart upload to the wrong URL) fail at once
 * with a status that says why, instead of a 400 about frame bytes. Why accept
 * none: clients that send raw bytes (`fetch` with a `Uint8Array` body,
 * scripts) send no type, and did work.
 */
import type { FrameEncoding } from '@hb/core/adapter'

const JSON_TYPE = 'application/json'
const BINARY_TYPE = 'application/octet-stream'

/** The media types the endpoint takes, for the `Accept-Post` header of a 415. */
export const acceptedMediaTypes = `${JSON_TYPE}, ${BINARY_TYPE}`

/**
 * The encoding a request's Content-Type declares: `json` or `binary`;
 * `undefined` when there is none; `null` for any other media type (415).
 * Media types are case-insensitive and may carry parameters (`; charset=utf-8`).
 */
export function declaredEncoding(header: string | null | undefined): FrameEncoding | undefined | null {
  if (header === undefined || header === null) return undefined
  // What hb's own client sends, without parsing.
  if (header === JSON_TYPE) return 'json'
  if (header === BINARY_TYPE) return 'binary'
  const end = header.indexOf(';')
  const type = (end < 0 ? header : header.slice(0, end)).trim().toLowerCase()
  if (type === JSON_TYPE) return 'json'
  if (type === BINARY_TYPE) return 'binary'
  return null
}

/** The media type of an ack: binary frames come and go as octet streams, everything else as JSON. */
export function ackMediaType(encoding: FrameEncoding | undefined): typeof JSON_TYPE | typeof BINARY_TYPE {
  return encoding === 'binary' ? BINARY_TYPE : JSON_TYPE
}
