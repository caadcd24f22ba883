/**
 * The three form fields of a codeskyblue/heartbeat request, read the way Go's
 * `Request.FormValue` reads them: an `application/x-www-form-urlencoded` body
 * first, then the query string; the first value of a repeated name; the empty
 * string for a missing one.
 */
import type { IncomingMessage } from 'node:http'
import type { NodeBody } from '../node-body.js'
import type { CodeskyblueRequest } from './codeskyblue-protocol.js'

const FIELDS = ['identifier', 'timestamp', 'messageMAC'] as const
const utf8 = new TextDecoder()

/** True for the media type `application/x-www-form-urlencoded`, with any parameters, in any case. */
export function isFormEncoded(contentType: string): boolean {
  const end = contentType.indexOf(';')
  return (end < 0 ? contentType : contentType.slice(0, end)).trim().toLowerCase() === 'application/x-www-form-urlencoded'
}

/** The fields of `req`, whose body was read into `body`. */
export function formFields(req: IncomingMessage, body: NodeBody): CodeskyblueRequest {
  const sources: ((name: string) => string | undefined)[] = []
  const type = req.headers['content-type']
  if (body.kind === 'bytes' && body.bytes.length > 0 && type !== undefined && isFormEncoded(type)) {
    const params = new URLSearchParams(utf8.decode(body.bytes))
    sources.push((name) => params.get(name) ?? undefined)
  } else if (body.kind === 'parsed' && typeof body.value === 'object' && body.value !== null) {
    // express.urlencoded() got there first.
    const parsed = body.value as Record<string, unknown>
    sources.push((name) => {
      const value = Object.hasOwn(parsed, name) ? parsed[name] : undefined
      const first = Array.isArray(value) ? value[0] : value
      return typeof first === 'string' ? first : undefined
    })
  }
  const url = req.url ?? ''
  const query = url.indexOf('?')
  if (query >= 0) {
    const params = new URLSearchParams(url.slice(query + 1))
    sources.push((name) => params.get(name) ?? undefined)
  }
  const read = (name: string): string => {
    for (const source of sources) {
      const value = source(name)
      if (value !== undefined) return value
    }
    return ''
  }
  const [identifier, timestamp, messageMAC] = FIELDS.map(read) as [string, string, string]
  return { identifier, timestamp, messageMAC }
}
