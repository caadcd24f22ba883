/**
 * One request header, read from `req.rawHeaders` without building
 * `req.headers`: Node builds that object lazily, header by header, on first
 * access, and on the per-beat path that costs more than everything else this
 * adapter does for a request. The first value wins, as in `req.headers` for
 * the fields read here (Node discards later duplicates of `content-type` and
 * `content-length`; its parser rejects conflicting lengths).
 */
import type { IncomingMessage } from 'node:http'

/** The first value of the header `lowerCaseName` (which must be lower case), or `undefined`. */
export function rawHeader(req: IncomingMessage, lowerCaseName: string): string | undefined {
  const raw = req.rawHeaders as string[] | undefined
  // A request made by hand (a test double, a framework's shim) may have only `headers`.
  if (raw === undefined || raw.length === 0) {
    const value = (req.headers as Record<string, string | string[] | undefined> | undefined)?.[lowerCaseName]
    return Array.isArray(value) ? value[0] : value
  }
  const length = lowerCaseName.length
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    // Most names differ in length: no case folding for them.
    if (name.length === length && (name === lowerCaseName || name.toLowerCase() === lowerCaseName)) return raw[i + 1]
  }
  return undefined
}
