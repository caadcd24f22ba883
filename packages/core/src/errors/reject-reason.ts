/**
 * Why a frame was rejected. Lower-case and stable: these are API, seen in
 * `rejected` events, counters and HTTP status mapping.
 */
export type RejectReason =
  /** Not a frame: truncated, garbled, wrong magic or version, bad field. */
  | 'malformed'
  /** Larger than `maxFrameBytes`. */
  | 'too-large'
  /** The frame names a key id the receiver does not know (or no key for that peer). */
  | 'unknown-key'
  /** The HMAC does not match. */
  | 'bad-signature'
  /** The frame's wall-clock timestamp is outside the skew window. */
  | 'stale'
  /** Signed and fresh, but its (incarnation, sequence) is not newer than one already accepted. */
  | 'replay'
  /** A new peer past `maxPeers`. Known peers keep working. */
  | 'peer-limit'
  /** A frame type the receiver does not accept in that direction (an `ack` sent to a monitor). */
  | 'unexpected'
  /**
   * Signed and fresh, from a peer this monitor does not know, while its replay
   * store (shared presence) is still fetching the peer's last sequence: send
   * again. Only with `monitor.useReplayStore()`.
   */
  | 'pending'
  /**
   * The sender went past a transport's rate or queue limit (a WebSocket ping
   * flood): the transport refused it, usually by closing its connection.
   */
  | 'flood'

/** Every reason, for counters and exhaustive tables. */
export const rejectReasons: readonly RejectReason[] = [
  'malformed',
  'too-large',
  'unknown-key',
  'bad-signature',
  'stale',
  'replay',
  'peer-limit',
  'unexpected',
  'pending',
  'flood',
]
