/**
 * The wire protocol of the Go library github.com/codeskyblue/heartbeat v0.1.0,
 * so its unmodified clients can be peers of an hb monitor. Pure protocol
 * logic: an HTTP adapter extracts the three form fields, calls
 * {@link CodeskyblueProtocol.handle}, writes the answer it gets, and feeds
 * the verified beat (an ordinary signed hb frame) to the monitor.
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
 * older than the newest one accepted for its identifier is a replay; and the
 * per-identifier state is created only after a MAC verified, and bounded.
 */
import type { Clock } from '../time/clock.js'
import { systemClock } from '../time/clock.js'
import { configError } from '../errors/heartbeat-error.js'
import { isValidKeyId, isValidPeerId, MAX_U32, MAX_U48 } from '../wire/frame.js'
import type { FrameFields } from '../wire/frame.js'
import { signFrame } from '../signing/frame-signer.js'
import { fromHex, toHex } from '../wire/hex.js'
import type { RejectReason } from '../errors/reject-reason.js'
import { hmacSha256, verifyHmacSha256 } from '../signing/hmac.js'
import type { KeyInput } from '../signing/key-material.js'
import { snapshotKeyBytes } from '../signing/key-material.js'

/** Options of {@link createCodeskyblueProtocol}. */
export interface CodeskyblueProtocolOptions {
  /**
   * The secret the Go clients were built with. Beats reach the monitor signed
   * with it too, so the monitor must accept it (same `secret`, or a ring or key
   * function that returns it for `keyId`).
   */
  secret: KeyInput
  /**
   * The Go server's `timeout`: how old (in whole seconds, rounded down as Go
   * does) a beat's timestamp may be. At least 1000. Default 15 000.
   */
  timeoutMs?: number
  /** Time source: `wallNow()` for the legacy timestamps, `now()` for sessions. Default `systemClock`. */
  clock?: Clock
  /** Most identifiers remembered at once; past it the least recently accepted is forgotten. Default 100 000. */
  maxIdentifiers?: number
  /** The beat interval announced to the monitor in each session's `hello`. Default `timeoutMs / 3`. */
  intervalMs?: number
  /** The key id the hb frames are signed under. Default `''` (the monitor's shared secret). */
  keyId?: string
}

/** The three form fields of a legacy request; a missing field is the empty string, as in Go's `FormValue`. */
export interface CodeskyblueRequest {
  readonly identifier: string
  readonly timestamp: string
  readonly messageMAC: string
}

/** A legacy beat that verified, turned into an hb frame for the monitor. */
export interface CodeskyblueBeat {
  /** The identifier, used as the hb peer id. */
  readonly peerId: string
  /** `hello` for the first beat of a session, `beat` after. */
  readonly type: 'hello' | 'beat'
  /** Fixed for the session; a session ends after `timeoutMs` without an accepted beat. */
  readonly incarnation: number
  /** 0 for the session's `hello`, +1 for every accepted beat after it. */
  readonly seq: number
  /** The signed binary hb frame (PROTOCOL.md §2), for `ServerTransportHandler.onFrame`. */
  readonly frame: Uint8Array
}

/** What to answer a legacy request with. The body is `text/plain; charset=utf-8`. */
export interface CodeskyblueResponse {
  /** 200 for a handshake or an accepted beat, 400 for every refusal (what the Go server does). */
  readonly status: 200 | 400
  /** The exact body: `<seconds> <mac>` without a newline on success, one of {@link codeskyblueMessages} otherwise. */
  readonly body: string
  /** On a 400, why, as an hb reject reason (for counters and `rejected` events). */
  readonly reason?: RejectReason
  /** On an accepted beat (not a handshake): the beat for the monitor. */
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

/** The content type of every legacy answer, as Go's `net/http` sends it. */
export const codeskyblueContentType = 'text/plain; charset=utf-8'

const DEFAULT_TIMEOUT_MS = 15_000
const DEFAULT_MAX_IDENTIFIERS = 100_000
// Canonical decimal: what Go's strconv/fmt print, and at most 15 digits so Number() is exact.
const DECIMAL_SECONDS = /^(?:0|[1-9][0-9]{0,14})$/
const utf8 = new TextEncoder()

interface Session {
  incarnation: number
  seq: number
  /** The newest legacy timestamp (seconds) accepted for this identifier. */
  newestSeconds: number
  /** `clock.now()` of the last accepted beat. */
  lastBeatAt: number
}

/**
 * Creates the legacy protocol for one endpoint.
 * @throws HeartbeatError `HB_ERR_CONFIG` on an empty secret or an option out of range.
 */
export function createCodeskyblueProtocol(options: CodeskyblueProtocolOptions): CodeskyblueProtocol {
  if (typeof options !== 'object' || options === null) throw configError('createCodeskyblueProtocol needs { secret }')
  const key = snapshotKeyBytes(options.secret, 'secret')
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 1000) {
    throw configError(`timeoutMs must be a finite number ≥ 1000 (legacy timestamps are whole seconds), got ${String(timeoutMs)}`)
  }
  const maxIdentifiers = options.maxIdentifiers ?? DEFAULT_MAX_IDENTIFIERS
  if (!Number.isSafeInteger(maxIdentifiers) || maxIdentifiers < 1) {
    throw configError(`maxIdentifiers must be a positive integer, got ${String(maxIdentifiers)}`)
  }
  const intervalMs = options.intervalMs ?? Math.max(1, Math.round(timeoutMs / 3))
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > MAX_U32) {
    throw configError(`intervalMs must be an integer from 1 to 2^32-1, got ${String(intervalMs)}`)
  }
  const keyId = options.keyId ?? ''
  if (!isValidKeyId(keyId)) throw configError('keyId must be 0–64 characters in ASCII 0x21–0x7e')
  const clock = options.clock ?? systemClock
  // Go truncates the timeout to whole seconds: int64(timeout.Seconds()).
  const windowSeconds = Math.floor(timeoutMs / 1000)

  // Insertion order is recency order: an accepted beat re-inserts its identifier,
  // so the first key is always the least recently accepted one to evict.
  const sessions = new Map<string, Session>()
  let lastIncarnation = 0

  const refuse = (body: string, reason: RejectReason): CodeskyblueResponse => ({ status: 400, body, reason })

  const wallSeconds = (): number => Math.floor(clock.wallNow() / 1000)

  /** The server's answer to every accepted request: fresh seconds and their MAC over `"<seconds>:timestamp"`. */
  function serverTimestamp(): string {
    const seconds = String(wallSeconds())
    return `${seconds} ${toHex(hmacSha256(key, utf8.encode(`${seconds}:timestamp`)))}`
  }

  function macMatches(timestamp: string, identifier: string, messageMAC: string): boolean {
    const mac = fromHex(messageMAC)
    return mac !== undefined && verifyHmacSha256(key, utf8.encode(`${timestamp}:${identifier}`), mac)
  }

  function accept(identifier: string, seconds: number, previous: Session | undefined): CodeskyblueBeat {
    const now = clock.now()
    let session = previous
    let type: 'hello' | 'beat' = 'beat'
    // A new session after silence (or a seq about to wrap) starts with a hello under a
    // larger incarnation, so the monitor re-announces the peer and never sees a replay.
    if (session === undefined || now - session.lastBeatAt > timeoutMs || session.seq >= MAX_U32) {
      lastIncarnation = Math.min(MAX_U48, Math.max(Math.floor(clock.wallNow()), lastIncarnation + 1))
      session = { incarnation: lastIncarnation, seq: 0, newestSeconds: seconds, lastBeatAt: now }
      type = 'hello'
    } else {
      session.seq++
    }
    session.newestSeconds = Math.max(session.newestSeconds, seconds)
    session.lastBeatAt = now
    sessions.delete(identifier)
    sessions.set(identifier, session)
    if (sessions.size > maxIdentifiers) {
      const oldest = sessions.keys().next()
      if (oldest.done !== true) sessions.delete(oldest.value)
    }
    const fields: FrameFields = {
      type,
      peerId: identifier,
      keyId,
      incarnation: session.incarnation,
      seq: session.seq,
      timestampMs: Math.floor(clock.wallNow()),
    }
    if (type === 'hello') fields.intervalMs = intervalMs
    const frame = signFrame(fields, key, 'binary')
    return { peerId: identifier, type, incarnation: session.incarnation, seq: session.seq, frame }
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
      if (identifier.includes(':') || identifier === 'timestamp' || !isValidPeerId(identifier)) {
        return refuse(codeskyblueMessages.identifierNotAllowed, 'malformed')
      }
      if (!macMatches(timestamp, identifier, messageMAC)) return refuse(codeskyblueMessages.badMac, 'bad-signature')
      // A handshake proves nothing fresh (it can be replayed forever), so it changes no state.
      if (timestamp === '') return { status: 200, body: serverTimestamp() }

      if (!DECIMAL_SECONDS.test(timestamp)) return refuse(codeskyblueMessages.badTimestamp, 'malformed')
      const seconds = Number(timestamp)
      const age = wallSeconds() - seconds
      if (age < 0 || age > windowSeconds) return refuse(codeskyblueMessages.badTimestamp, 'stale')
      const session = sessions.get(identifier)
      // Equal is fine: two beats in one second are legitimate (the handshake's beat, short intervals).
      if (session !== undefined && seconds < session.newestSeconds) return refuse(codeskyblueMessages.badTimestamp, 'replay')

      const beat = accept(identifier, seconds, session)
      return { status: 200, body: serverTimestamp(), beat }
    },
  }
}
