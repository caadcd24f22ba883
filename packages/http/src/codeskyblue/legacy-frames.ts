/**
 * Verified legacy beats as signed hb frames, for a monitor that only takes
 * frames (`ServerTransportHandler.onFrame`): the first beat of a session as a
 * `hello` announcing the Go clients' interval, the others as `beat`s, signed
 * with the legacy secret so the monitor verifies them with the same key.
 *
 * This signs a frame the monitor then verifies again: twice the HMAC work of
 * one legacy beat. It goes once the monitor takes an already authenticated
 * beat (issue 11); the protocol's verify step is separate for that reason.
 */
import { signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import type { Clock } from '@hb/core'
import type { CodeskyblueBeat } from './codeskyblue-protocol.js'

/** What {@link createLegacyFrameSigner} needs. */
export interface LegacyFrameSignerOptions {
  /** The key the frames are signed with: the legacy secret, which the monitor must accept under `keyId`. */
  readonly key: Uint8Array
  readonly keyId: string
  /** The beat interval announced in each session's `hello`. */
  readonly intervalMs: number
  /** For the frames' `timestampMs` (the monitor's freshness check): the monitor's clock. */
  readonly clock: Clock
}

/** Returns `sign(beat)`: the signed binary hb frame of a verified legacy beat. */
export function createLegacyFrameSigner(options: LegacyFrameSignerOptions): (beat: CodeskyblueBeat) => Uint8Array {
  const { key, keyId, intervalMs, clock } = options
  return (beat) => {
    const fields: FrameFields = {
      type: beat.sessionStart ? 'hello' : 'beat',
      peerId: beat.peerId,
      keyId,
      incarnation: beat.incarnation,
      seq: beat.seq,
      timestampMs: Math.floor(clock.wallNow()),
    }
    if (beat.sessionStart) fields.intervalMs = intervalMs
    return signFrame(fields, key, 'binary')
  }
}
