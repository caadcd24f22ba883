/**
 * The admin API's bearer token check (`Authorization: Bearer <token>`), in
 * constant time so the comparison does not tell an attacker how much of a
 * guess was right.
 */
import type { IncomingMessage } from 'node:http'

const encoder = new TextEncoder()

/** Compares two byte strings in time that depends only on their lengths. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i % Math.max(1, b.length)] ?? 0)
  return difference === 0
}

/** A check of requests against `token`; every request passes when `token` is undefined. */
export function createBearerAuth(token: string | undefined): (request: IncomingMessage) => boolean {
  if (token === undefined) return () => true
  const expected = encoder.encode(token)
  return (request) => {
    const header = request.headers.authorization
    if (typeof header !== 'string') return false
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    return match !== null && constantTimeEqual(encoder.encode(match[1]!), expected)
  }
}
