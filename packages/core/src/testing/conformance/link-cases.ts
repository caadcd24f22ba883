/**
 * Links of connection transports ([H2], [H3], [L1]–[L4] of transport.ts):
 * up before any frame, down exactly once and nothing after, `send` on the
 * right link, `close` idempotent, `ping` harmless.
 */
import type { Link } from '../../adapter/transport.js'
import { bytesOf, sameBytes } from './harness.js'
import type { Register, SkipWhen } from './register.js'

const connectionOnly: SkipWhen = (conf) => conf.kind !== 'connection' && `kind: ${conf.kind} has no links`

export function linkCases(register: Register): void {
  register(
    'H2 L1 each accepted link is reported up once, before any of its frames, with a unique id',
    async ({ expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const a = await openClient(address)
      const b = await openClient(address)
      await a.client.send(new Uint8Array([1]))
      await b.client.send(new Uint8Array([2]))
      await until(() => recorder.frames.length === 2, 'a frame from each client')
      expect(recorder.up.length).toBe(2)
      expect(recorder.up[0]?.id === recorder.up[1]?.id).toBe(false)
      for (const frame of recorder.frames) {
        const upAt = recorder.events.findIndex((event) => event.type === 'up' && event.link === frame.link)
        expect(upAt >= 0 && upAt < recorder.events.indexOf(frame)).toBe(true)
      }
      expect(recorder.up.every((link) => typeof link.remoteAddress === 'string' && link.remoteAddress !== '')).toBe(true)
    },
    connectionOnly,
  )

  register(
    'H3 a link that goes away is reported down exactly once, and no frame of it follows',
    async ({ expect, startServer, openClient, until }) => {
      const { server, address, recorder } = await startServer()
      const c = await openClient(address)
      await until(() => recorder.up.length === 1, 'link-up')
      await c.client.send(new Uint8Array([1]))
      await until(() => c.received.length === 1, 'an echo')
      await c.client.close()
      await until(() => recorder.down.length === 1, 'link-down after the client closed')
      expect(recorder.down[0]).toBe(recorder.up[0])
      // Closing the server afterwards must not report the same link again.
      await server.close()
      expect(recorder.down.length).toBe(1)
      const downAt = recorder.events.findIndex((event) => event.type === 'down')
      expect(recorder.events.slice(downAt + 1).length).toBe(0)
    },
    connectionOnly,
  )

  register(
    'L2 link.send() delivers on that link only, and never throws, even once the link is down',
    async ({ expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const a = await openClient(address)
      await until(() => recorder.up.length === 1, 'the first link')
      const b = await openClient(address)
      await until(() => recorder.up.length === 2, 'the second link')
      const [linkA, linkB] = recorder.up as [Link, Link]
      linkB.send(bytesOf(12, 2))
      linkA.send(bytesOf(11, 1))
      await until(() => a.received.length === 1 && b.received.length === 1, 'one pushed frame on each client')
      expect(sameBytes(a.received[0], bytesOf(11, 1))).toBe(true)
      expect(sameBytes(b.received[0], bytesOf(12, 2))).toBe(true)
      await a.client.close()
      await until(() => recorder.down.includes(linkA), 'link-down of the closed client')
      let threw: unknown
      try {
        linkA.send(bytesOf(11, 3))
      } catch (error) {
        threw = error
      }
      expect(threw).toBe(undefined)
    },
    connectionOnly,
  )

  register(
    'L3 link.close() reports the link down once, tells the client, and is idempotent',
    async ({ expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const a = await openClient(address)
      const b = await openClient(address)
      await until(() => recorder.up.length === 2, 'two links')
      const link = recorder.up[0] as Link
      link.close()
      link.close()
      await until(() => recorder.down.length === 1 && a.downs.length + b.downs.length === 1, 'link-down on both sides')
      expect(recorder.down[0]).toBe(link)
      link.close()
      // The other link still works: a round trip on it, after which a second report would have shown up.
      const other = a.downs.length === 1 ? b : a
      await other.client.send(new Uint8Array([4]))
      await until(() => other.received.length === 1, 'an echo on the remaining link')
      expect(recorder.down.length).toBe(1)
      expect(a.downs.length + b.downs.length).toBe(1)
    },
    connectionOnly,
  )

  register(
    'L4 link.ping(), where there is one, never throws and leaves the link usable',
    async ({ expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address)
      await until(() => recorder.up.length === 1, 'link-up')
      const link = recorder.up[0] as Link
      let threw: unknown
      try {
        link.ping?.()
      } catch (error) {
        threw = error
      }
      expect(threw).toBe(undefined)
      await c.client.send(new Uint8Array([5]))
      await until(() => c.received.length === 1, 'an echo after the ping')
      expect(recorder.down.length).toBe(0)
    },
    connectionOnly,
  )
}
