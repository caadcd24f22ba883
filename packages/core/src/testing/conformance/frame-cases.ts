/**
 * Frames through the seam ([H1], [H4], [F1]–[F5], [M1], [M2], [N1] of
 * transport.ts): whole and byte for byte up to exactly `maxFrameBytes`, one
 * byte more refused, replies to the right sender, late replies harmless,
 * many clients at once.
 */
import type { InboundFrame } from '../../adapter/transport.js'
import { bytesOf, sameBytes } from './harness.js'
import type { Register } from './register.js'

export function frameCases(register: Register): void {
  register('F1 M1 frames arrive whole, byte for byte, up to exactly maxFrameBytes, and the replies come back', async (context) => {
    const { conf, expect } = context
    const { address, recorder } = await context.startServer()
    const c = await context.openClient(address)
    const sizes = [1, 2, 55, 410, conf.maxFrameBytes - 1, conf.maxFrameBytes]
    for (const [i, size] of sizes.entries()) {
      const frame = bytesOf(size, i)
      await c.client.send(frame)
      await context.until(() => c.received.length > i, `the echo of a ${size}-byte frame`)
      expect(sameBytes(recorder.frames[i]?.bytes, frame)).toBe(true)
      expect(sameBytes(c.received[i], frame)).toBe(true)
    }
    expect(recorder.frames.length).toBe(sizes.length)
  })

  register('F2 a frame carries the sender address, and its link (connection) or none', async ({ conf, expect, startServer, openClient, until }) => {
    const { address, recorder } = await startServer()
    const c = await openClient(address)
    await c.client.send(new Uint8Array([1]))
    await until(() => recorder.frames.length === 1, 'a frame')
    const frame = recorder.frames[0]
    expect(typeof frame?.remoteAddress === 'string' && frame.remoteAddress !== '').toBe(true)
    if (conf.kind === 'connection') {
      expect(recorder.up.length).toBe(1)
      expect(frame?.link).toBe(recorder.up[0])
      expect(frame?.link?.remoteAddress).toBe(frame?.remoteAddress)
    } else {
      expect(frame?.link).toBe(undefined)
    }
  })

  register(
    'H1 frames of one link arrive in the order they were sent',
    async ({ startServer, openClient, until, expect }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address)
      const count = 20
      await Promise.all(Array.from({ length: count }, (_, i) => c.client.send(bytesOf(3 + i, i))))
      await until(() => recorder.frames.length === count, `${count} frames`)
      expect(recorder.frames.every((frame, i) => sameBytes(frame.bytes, bytesOf(3 + i, i)))).toBe(true)
      await until(() => c.received.length === count, `${count} echoes`)
      expect(c.received.every((bytes, i) => sameBytes(bytes, bytesOf(3 + i, i)))).toBe(true)
    },
    (conf) => conf.kind !== 'connection' && `kind: ${conf.kind} does not promise order across frames`,
  )

  register(
    'M2 H4 a frame one byte over maxFrameBytes is refused as too-large and never delivered',
    async ({ conf, expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address)
      // The client may refuse to send it at all; either way the server must not deliver it.
      await c.client.send(bytesOf(conf.maxFrameBytes + 1, 9)).catch(() => undefined)
      await until(() => recorder.rejections.length > 0, 'a too-large rejection')
      expect(recorder.rejections[0]?.reason).toBe('too-large')
      expect(typeof recorder.rejections[0]?.remoteAddress).toBe('string')
      expect(recorder.frames.length).toBe(0)
    },
    (conf) => !conf.rejectsOversizeItself && 'rejectsOversizeItself: false, the core rejects it (see M2 handed whole)',
  )

  register(
    'M2 a frame over maxFrameBytes is handed to the core whole, or not at all, never cut',
    async ({ conf, expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address)
      const big = bytesOf(conf.maxFrameBytes + 1, 9)
      await c.client.send(big).catch(() => undefined)
      await c.client.send(new Uint8Array([1])).catch(() => undefined)
      await until(() => recorder.frames.some((frame) => frame.bytes.length === 1), 'the frame sent after the oversize one')
      expect(recorder.frames.every((frame) => frame.bytes.length === 1 || sameBytes(frame.bytes, big))).toBe(true)
    },
    (conf) => conf.rejectsOversizeItself && 'rejectsOversizeItself: true (see M2 too-large)',
  )

  register(`F3 N1 many clients at once, each answered on its own`, async ({ conf, expect, startServer, openClient, until }) => {
    const { address, recorder } = await startServer()
    const clients = await Promise.all(Array.from({ length: conf.manyClients }, () => openClient(address)))
    await Promise.all(clients.map((c, i) => c.client.send(bytesOf(40, i))))
    await until(() => clients.every((c) => c.received.length === 1), `a reply on each of ${conf.manyClients} clients`)
    expect(clients.every((c, i) => sameBytes(c.received[0], bytesOf(40, i)))).toBe(true)
    expect(recorder.frames.length).toBe(conf.manyClients)
    if (conf.kind === 'connection') {
      expect(recorder.up.length).toBe(conf.manyClients)
      expect(new Set(recorder.up.map((link) => link.id)).size).toBe(conf.manyClients)
    }
  })

  register('F4 reply() after onFrame returned never throws, and is delivered or ignored as the transport declares', async (context) => {
    const { conf, expect } = context
    const { address, recorder } = await context.startServer()
    const c = await context.openClient(address)
    const late: InboundFrame[] = []
    recorder.respond = (frame) => {
      if (frame.bytes[0] === 1) {
        late.push(frame)
        return { accepted: true }
      }
      frame.reply(frame.bytes.slice())
      return { accepted: true }
    }
    await c.client.send(new Uint8Array([1, 1]))
    await context.until(() => late.length === 1, 'the frame to answer late')
    let threw: unknown
    try {
      late[0]?.reply(new Uint8Array([3, 3, 3]))
    } catch (error) {
      threw = error
    }
    expect(threw).toBe(undefined)
    if (conf.replyAfterReturn === 'delivered') {
      await context.until(() => c.received.some((bytes) => sameBytes(bytes, new Uint8Array([3, 3, 3]))), 'the late reply')
    } else {
      // A later frame's echo arrives after anything the late reply could have sent.
      await c.client.send(new Uint8Array([2, 2]))
      await context.until(() => c.received.some((bytes) => sameBytes(bytes, new Uint8Array([2, 2]))), 'the next echo')
      expect(c.received.some((bytes) => sameBytes(bytes, new Uint8Array([3, 3, 3])))).toBe(false)
    }
  })

  register('F5 reply() after close() is ignored and never throws', async ({ expect, startServer, openClient, until }) => {
    const { server, address, recorder } = await startServer()
    const c = await openClient(address)
    const kept: InboundFrame[] = []
    recorder.respond = (frame) => {
      kept.push(frame)
      frame.reply(frame.bytes.slice())
      return { accepted: true }
    }
    await c.client.send(new Uint8Array([5]))
    await until(() => kept.length === 1 && c.received.length === 1, 'a frame and its echo')
    await server.close()
    let threw: unknown
    try {
      kept[0]?.reply(new Uint8Array([6]))
    } catch (error) {
      threw = error
    }
    expect(threw).toBe(undefined)
    // Nothing can carry it any more; if anything did, it would arrive before this close returns.
    await c.client.close()
    expect(c.received.length).toBe(1)
  })
}
