/**
 * The wire protocol of the Go library github.com/codeskyblue/heartbeat v0.1.0,
 * so its unmodified clients can be peers of an hb monitor. Pure protocol
 * logic, no HTTP and no hb frames: the handler extracts the three form
 * fields, calls {@link CodeskyblueProtocol.handle}, writes the answer, and
 * hands a verified beat to the monitor (`onAuthenticatedBeat`: verified once,
 * here, never re-signed as an hb frame).
 *
 * The legacy protocol, as its client speaks it:
 * - handshake: `timestamp` empty, `messageMAC = hex(HMAC(secret, ":" + identifier))`;
 *   the server answers `<unix seconds> <hex(HMAC(secret, "<unix seconds>:timestamp"))>`;
 * - beat: `timestamp` is the seconds the server last returned, the MAC is over
 *   `timestamp + ":" + identifier`, accepted while `0 ≤ now − timestamp ≤ timeout`.
 *
 * What this implementation closes, while staying compatible with that client:
 * MACs are compared in constant time; timestamps are canonical decimal digits;
 * an identifier may not contain `:` (the join would be ambiguous: a beat of
 * `a:b` at `t` has the MAC of a beat of `b` at `t:a`); the identifier
 * `timestamp` is refused (every server answer is a valid beat of it); a beat
 * older than the newest one accepted for its identifier is a replay, and so is
 * one equal to it once the session has expired or the timestamp has reached
 * the edge of the window (see {@link isReplay}); per-identifier state is
 * created only after a MAC verified, and bounded.
 */
import { hmacSha256, verifyHmacSha256 } from '@hb/core/protocol'
import { checkPositiveInteger, configError } from '@hb/core/adapter'
import type { Clock, RejectReason } from '@hb/core'
import { systemClock } from '@hb/core'
import { fromHex, toHex } from '@hb/core/protocol'
import { isServableIdentifier } from './legacy-identifier.js'

/** Options of {@link createCodeskyblueProtocol}. */
export interface CodeskyblueProtocolOptions {
  /**
   * The key an identifier's MACs are made with (the monitor's verifying key:
   * the Go clients' shared secret, or a per-peer key), or `undefined` if it
   * has none (its MACs are then wrong). Called once per request.
   */
  keyFor(identifier: string): Uint8Array | undefined
  /**
   * The Go server's `timeout`, in ms: how old (in whole seconds, rounded down
   * as Go does) a beat's timestamp may be, and how long a session lasts
   * without an accepted beat. At least 1000. Default 15 000.
   */
  timeoutMs?: number
  /** Time source: `wallNow()` for the legacy timestamps, `now()` for sessions. Default `systemClock`. */
  clock?: Clock
  /** Most identifiers remembered at once; past it the least recently accepted is forgotten. Default 100 000. */
  maxIdentifiers?: number
}

/** The three form fields of a legacy request; a missing field is the empty string, as in Go's `FormValue`. */
export interface CodeskyblueRequest {
  readonly identifier: string
  readonly timestamp: string
  readonly messageMAC: string
}

/** A legacy beat whose MAC, timestamp and order verified. */
export interface CodeskyblueBeat {
  /** The identifier, used as the hb peer id. */
  readonly peerId: string
  /** True for the first accepted beat of a session: the first one seen, or the first after `timeoutMs` of silence. */
  readonly sessionStart: boolean
}

/** What to answer a legacy request with. The body is `text/plain; charset=utf-8`. */
export interface CodeskyblueResponse {
  /** 200 for a handshake or an accepted beat, 400 for every refusal (what the Go server does). */
  readonly status: 200 | 400
  /** The exact body: `<seconds> <mac>` without a newline on success, one of {@link codeskyblueMessages} otherwise. */
  readonly body: string
  /** On a 400, why, as an hb reject reason (for counters and `rejected` events). */
  readonly reason?: RejectReason
  /** On a 400 after the MAC verified: the identifier, which is then authenticated. */
  readonly peerId?: string
  /** On an accepted beat (not a handshake). */
  readonly beat?: CodeskyblueBeat
}

/** The legacy protocol state machine for one endpoint. */
export interface CodeskyblueProtocol {
  /** Answers one request. Never throws on any input. */
  handle(request: CodeskyblueRequest): CodeskyblueResponse
  /** How many identifiers are remembered (at most `maxIdentifiers`). */
  readonly size: number
}

/**
 * The 400 bodies. The first three are the Go server's, byte for byte (its
 * `http.Error` appends the newline); the Go client only logs them and, after a
 * failed beat, handshakes again.
 */
export const codeskyblueMessages = {
  emptyIdentifier: 'identifier should not be empty\n',
  /** Not in the Go server: an identifier with `:`, the word `timestamp`, or longer than 255 UTF-8 bytes. */
  identifierNotAllowed: 'identifier not allowed\n',
  badMac: 'messageMAC wrong\n',
  badTimestamp: 'Invalid timestamp, advanced or outdated\n',
} as const

const DEFAULT_TIMEOUT_MS = 15_000
const DEFAULT_MAX_IDENTIFIERS = 100_000
// Canonical decimal: what Go's strconv/fmt print, and at most 15 digits so Number() is exact.
const DECIMAL_SECONDS = /^(?:0|[1-9][0-9]{0,14})$/
const utf8 = new TextEncoder()

interface Session {
  /** The newest legacy timestamp (seconds) accepted for this identifier. */
  newestSeconds: number
  /** `clock.now()` of the last accepted beat. */
  lastBeatAt: number
}

/**
 * True if a beat stamped `seconds` (and `ageSeconds` old) must be refused as a
 * replay, given the identifier's session and whether it has expired.
 *
 * Older than the newest accepted: always. Equal to it: the Go client sends
 * equal timestamps legitimately (it beats with the seconds of the previous
 * answer, so beats faster than 1 s repeat them), and while its session is live
 * a resend cannot be told from a beat. But once the session has expired (the
 * monitor has declared the peer offline), or the timestamp has reached the
 * edge of the window, an equal timestamp is what a captured last beat looks
 * like, and a live client has a newer one: after a failed beat it handshakes
 * and gets fresh seconds.
 */
export function isReplay(seconds: number, ageSeconds: number, windowSeconds: number, newestSeconds: number, expired: boolean): boolean {
  if (seconds < newestSeconds) return true
  return seconds === newestSeconds && (expired || ageSeconds >= windowSeconds)
}

/** True if `a` and `b` hold the same bytes (constant-time: they are keys), so a key changed in place is never answered for with its old MAC. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}

/**
 * Creates the legacy protocol for one endpoint.
 * @throws HeartbeatError `HB_ERR_CONFIG` on an option out of range.
 */
export function createCodeskyblueProtocol(options: CodeskyblueProtocolOptions): CodeskyblueProtocol {
  const { keyFor } = options
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 1000) {
    throw configError(`timeoutMs must be a finite number ≥ 1000 (legacy timestamps are whole seconds), got ${String(timeoutMs)}`)
  }
  const maxIdentifiers = checkPositiveInteger('maxIdentifiers', options.maxIdentifiers, DEFAULT_MAX_IDENTIFIERS)
  const clock = options.clock ?? systemClock
  // Go truncates the timeout to whole seconds: int64(timeout.Seconds()).
  const windowSeconds = Math.floor(timeoutMs / 1000)

  // Insertion order is recency order: an accepted beat re-inserts its identifier,
  // so the first key is always the least recently accepted one to evict.
  const sessions = new Map<string, Session>()

  const refuse = (body: string, reason: RejectReason, peerId?: string): CodeskyblueResponse =>
    peerId === undefined ? { status: 400, body, reason } : { status: 400, body, reason, peerId }

  const wallSeconds = (): number => Math.floor(clock.wallNow() / 1000)

  // The answer changes once a second per key: remembered for the last key and second, so a
  // busy endpoint signs it once a second instead of once a beat (same bytes either way).
  let lastKey: Uint8Array | undefined
  let lastKeyBytes = new Uint8Array(0)
  let lastSeconds = -1
  let lastAnswer = ''

  /** The server's answer to every accepted request: fresh seconds and their MAC over `"<seconds>:timestamp"`. */
  function serverTimestamp(key: Uint8Array): string {
    const now = wallSeconds()
    if (now === lastSeconds && key === lastKey && sameBytes(key, lastKeyBytes)) return lastAnswer
    const seconds = String(now)
    lastAnswer = `${seconds} ${toHex(hmacSha256(key, utf8.encode(`${seconds}:timestamp`)))}`
    lastKey = key
    // A copy of its own (a Buffer key's slice() would share its memory).
    lastKeyBytes = new Uint8Array(key)
    lastSeconds = now
    return lastAnswer
  }

  function accept(identifier: string, seconds: number, previous: Session | undefined, expired: boolean): CodeskyblueBeat {
    const now = clock.now()
    const sessionStart = previous === undefined || expired
    const session = previous ?? { newestSeconds: seconds, lastBeatAt: now }
    session.newestSeconds = Math.max(session.newestSeconds, seconds)
    session.lastBeatAt = now
    sessions.delete(identifier)
    sessions.set(identifier, session)
    if (sessions.size > maxIdentifiers) {
      const oldest = sessions.keys().next()
      if (oldest.done !== true) sessions.delete(oldest.value)
    }
    return { peerId: identifier, sessionStart }
  }

  return {
    get size() {
      return sessions.size
    },
    handle(request) {
      const identifier = typeof request?.identifier === 'string' ? request.identifier : ''
      const timestamp = typeof request?.timestamp === 'string' ? request.timestamp : ''
      const messageMAC = typeof request?.messageMAC === 'string' ? request.messageMAC : ''

      if (identifier === '') return refuse(codeskyblueMessages.emptyIdentifier, 'malformed')
      // Checked before the MAC: these identifiers are refused whoever signed them.
      if (!isServableIdentifier(identifier)) return refuse(codeskyblueMessages.identifierNotAllowed, 'malformed')
      // The verify step: from here on, the identifier is authenticated.
      const key = keyFor(identifier)
      const mac = fromHex(messageMAC)
      if (key === undefined || mac === undefined || !verifyHmacSha256(key, utf8.encode(`${timestamp}:${identifier}`), mac)) {
        return refuse(codeskyblueMessages.badMac, 'bad-signature')
      }
      // A handshake proves nothing fresh (it can be replayed forever), so it changes no state.
      if (timestamp === '') return { status: 200, body: serverTimestamp(key) }

      if (!DECIMAL_SECONDS.test(timestamp)) return refuse(codeskyblueMessages.badTimestamp, 'malformed', identifier)
      const seconds = Number(timestamp)
      const age = wallSeconds() - seconds
      if (age < 0 || age > windowSeconds) return refuse(codeskyblueMessages.badTimestamp, 'stale', identifier)
      const session = sessions.get(identifier)
      // At exactly timeoutMs of silence the monitor's deadline has come: the session is over.
      const expired = session !== undefined && clock.now() - session.lastBeatAt >= timeoutMs
      if (session !== undefined && isReplay(seconds, age, windowSeconds, session.newestSeconds, expired)) {
        return refuse(codeskyblueMessages.badTimestamp, 'replay', identifier)
      }
      return { status: 200, body: serverTimestamp(key), beat: accept(identifier, seconds, session, expired) }
    },
  }
}
