/**
 * The webhook signature, the scheme most webhook senders use: the header
 * `hb-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a receiver that checks it is
 * recent (five minutes by default) refuses a captured request sent again
 * later. WebCrypto, so it runs in Node, browsers, Deno and workers alike.
 */
import type { Clock, KeyInput } from '@hb/core'
import { systemClock } from '@hb/core'

/** The name of the signature header (HTTP header names are case-insensitive). */
export const webhookSignatureHeader = 'hb-signature'

const encoder = new TextEncoder()

function keyBytes(secret: KeyInput): Uint8Array {
  return typeof secret === 'string' ? encoder.encode(secret) : secret
}

async function importKey(secret: KeyInput, usage: 'sign' | 'verify') {
  return globalThis.crypto.subtle.importKey('raw', keyBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage])
}

function toHex(bytes: ArrayBuffer): string {
  return Buffer.from(bytes).toString('hex')
}

/** The `hb-signature` header value for `body` sent at `timestampSeconds`. */
export async function signWebhook(secret: KeyInput, timestampSeconds: number, body: string): Promise<string> {
  const key = await importKey(secret, 'sign')
  const mac = await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(`${timestampSeconds}.${body}`))
  return `t=${timestampSeconds},v1=${toHex(mac)}`
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookOptions {
  /** The webhook secret the server was given. */
  secret: KeyInput
  /** The `hb-signature` header as received. */
  header: string | null | undefined
  /** The raw request body, exactly as received (not re-serialised JSON). */
  body: string
  /** Oldest accepted timestamp, in seconds before now. Default 300. */
  toleranceSeconds?: number
  /** Source of the current wall time. Default `systemClock`. */
  clock?: Pick<Clock, 'wallNow'>
}

/**
 * True if `header` is a valid signature of `body` under `secret`, made within
 * `toleranceSeconds` of now. Constant-time (WebCrypto's verify).
 *
 * ```ts
 * const ok = await verifyWebhookSignature({ secret, header: request.headers['hb-signature'], body: rawBody })
 * ```
 */
export async function verifyWebhookSignature(options: VerifyWebhookOptions): Promise<boolean> {
  const { secret, header, body } = options
  if (typeof header !== 'string') return false
  const fields = new Map<string, string>()
  for (const part of header.split(',')) {
    const equals = part.indexOf('=')
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim())
  }
  const timestamp = Number(fields.get('t'))
  const hex = fields.get('v1')
  if (!Number.isSafeInteger(timestamp) || hex === undefined || !/^[0-9a-f]{64}$/.test(hex)) return false
  const nowSeconds = (options.clock ?? systemClock).wallNow() / 1000
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false
  const key = await importKey(secret, 'verify')
  return globalThis.crypto.subtle.verify('HMAC', key, Buffer.from(hex, 'hex'), encoder.encode(`${timestamp}.${body}`))
}
