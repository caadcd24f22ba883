/**
 * Signed frames made by the real beater, for replaying and forging: a beater
 * on a fake clock whose calendar is the real one, over a transport that only
 * records what it is asked to send. Uses only @hb/core's root API.
 */
import { createBeater } from '@hb/core'
import type { BeaterOptions } from '@hb/core'
import { createFakeClock } from '@hb/core/testing'

type ClientTransport = BeaterOptions['transport']

export const SECRET = 'reliability-hostile-secret-0123456789abcdef'

export interface CapturedFrames {
  /** hello first, then one beat per interval. */
  readonly frames: Uint8Array[]
}

/**
 * The hello and `beats` beats of peer `id`, 10 ms apart (so their timestamps
 * stay within the freshness window), signed with `secret`.
 */
export async function captureFrames(
  id: string,
  beats: number,
  options: { encoding?: 'binary' | 'json'; secret?: string; wallStartMs?: number } = {},
): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = []
  const clock = createFakeClock(0, { wallStartMs: options.wallStartMs ?? Date.now() })
  const transport: ClientTransport = {
    name: 'capture',
    kind: 'datagram',
    encoding: options.encoding ?? 'binary',
    async connect() {},
    async send(bytes) {
      frames.push(bytes.slice())
    },
    async close() {},
  }
  const beater = createBeater({ id, secret: options.secret ?? SECRET, transport, clock, intervalMs: 10, jitter: 0, expectAcks: false })
  const stop = beater.start()
  // connect() resolves on a microtask; the hello follows it.
  for (let i = 0; i < 5 && frames.length === 0; i++) await Promise.resolve()
  for (let i = 0; i < beats; i++) clock.advance(10)
  await stop({ bye: false })
  if (frames.length !== beats + 1) throw new Error(`captured ${frames.length} frames, expected ${beats + 1}`)
  return frames
}
