/**
 * createServerLifecycle (src/adapter/server-lifecycle.ts), every state
 * transition, with a fake listen/release whose promises the test settles by
 * hand, so each in-between state can be observed.
 */
import { describe, expect, it } from 'vitest'
import { createServerLifecycle } from '../src/adapter/server-lifecycle.js'
import type { ServerTransportHandler, TransportAddress } from '../src/adapter/transport.js'
import { HeartbeatError } from '../src/index.js'

const handler: ServerTransportHandler = {
  onFrame: () => ({ accepted: true }),
  onLinkUp: () => undefined,
  onLinkDown: () => undefined,
  onRejected: () => undefined,
}
const options = { maxFrameBytes: 64 }
const address: TransportAddress = { host: '127.0.0.1', port: 4000, family: 'IPv4' }

/** A lifecycle whose listen() waits for the test to call bind() or fail(); calls are logged in order. */
function setup() {
  const log: string[] = []
  let bind: (a: TransportAddress) => void = () => undefined
  let fail: (error: unknown) => void = () => undefined
  const lifecycle = createServerLifecycle({
    name: 'fake',
    listen(h, o) {
      log.push(`listen ${o.maxFrameBytes}${h === handler ? '' : ' (other handler)'}`)
      return new Promise<TransportAddress>((resolve, reject) => {
        bind = resolve
        fail = reject
      })
    },
    async release() {
      log.push('release')
    },
  })
  const link = (name: string) => ({ close: () => void log.push(`close ${name}`) })
  return { lifecycle, log, bind: (a = address) => bind(a), fail: (e: unknown) => fail(e), link }
}

const codeOf = (error: unknown): string => (HeartbeatError.isInstance(error) ? error.code : `not a HeartbeatError: ${String(error)}`)
const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error)
/** Lets pending promise callbacks run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('createServerLifecycle', () => {
  it('idle → starting → listening: address() once bound, with the handler and options passed to listen', async () => {
    const { lifecycle, log, bind } = setup()
    expect([lifecycle.state, lifecycle.address(), lifecycle.closing]).toEqual(['idle', null, false])
    const started = lifecycle.start(handler, options)
    expect([lifecycle.state, lifecycle.address()]).toEqual(['starting', null])
    bind()
    await started
    expect([lifecycle.state, lifecycle.address()]).toEqual(['listening', address])
    expect(log).toEqual(['listen 64'])
  })

  it('starting → idle when the bind fails: HB_ERR_TRANSPORT with the error as cause, and a later start may succeed', async () => {
    const { lifecycle, bind, fail, log } = setup()
    const busy = new Error('EADDRINUSE')
    const first = rejection(lifecycle.start(handler, options))
    fail(busy)
    const error = await first
    expect(codeOf(error)).toBe('HB_ERR_TRANSPORT')
    expect((error as Error).cause).toBe(busy)
    expect([lifecycle.state, lifecycle.address()]).toEqual(['idle', null])
    const second = lifecycle.start(handler, options)
    bind()
    await second
    expect(lifecycle.state).toBe('listening')
    await lifecycle.close()
    expect(log).toEqual(['listen 64', 'listen 64', 'release'])
  })

  it('a bind failure that is already HB_ERR_TRANSPORT is passed through as it is', async () => {
    const { lifecycle, fail } = setup()
    const own = new HeartbeatError('HB_ERR_TRANSPORT', 'fake: cannot bind 4000')
    const started = rejection(lifecycle.start(handler, options))
    fail(own)
    expect(await started).toBe(own)
  })

  it('start() while starting or listening rejects HB_ERR_TRANSPORT and changes nothing', async () => {
    const { lifecycle, bind, log } = setup()
    const first = lifecycle.start(handler, options)
    expect(codeOf(await rejection(lifecycle.start(handler, options)))).toBe('HB_ERR_TRANSPORT')
    expect(lifecycle.state).toBe('starting')
    bind()
    await first
    expect(codeOf(await rejection(lifecycle.start(handler, options)))).toBe('HB_ERR_TRANSPORT')
    expect([lifecycle.state, lifecycle.address()]).toEqual(['listening', address])
    expect(log).toEqual(['listen 64'])
  })

  it('listening → closing → closed: every tracked link is closed before the port is released, once', async () => {
    const { lifecycle, bind, link, log } = setup()
    const started = lifecycle.start(handler, options)
    bind()
    await started
    const a = link('a')
    expect(lifecycle.addLink(a)).toBe(true)
    expect(lifecycle.addLink(link('b'))).toBe(true)
    lifecycle.removeLink(a)
    expect(lifecycle.linkCount).toBe(1)
    const closed = lifecycle.close()
    expect([lifecycle.state, lifecycle.address(), lifecycle.closing]).toEqual(['closing', null, true])
    await closed
    expect(lifecycle.state).toBe('closed')
    expect(lifecycle.linkCount).toBe(0)
    expect(log).toEqual(['listen 64', 'close b', 'release'])
  })

  it('a link that removes itself while close() closes it (the adapter reporting link-down) is closed once', async () => {
    const { lifecycle, bind, log } = setup()
    const started = lifecycle.start(handler, options)
    bind()
    await started
    const links = ['a', 'b'].map((name) => {
      const self = {
        close: () => {
          log.push(`close ${name}`)
          lifecycle.removeLink(self)
        },
      }
      return self
    })
    for (const l of links) lifecycle.addLink(l)
    await lifecycle.close()
    expect(log).toEqual(['listen 64', 'close a', 'close b', 'release'])
  })

  it('closing refuses new links: addLink() returns false and the adapter closes the link itself', async () => {
    const { lifecycle, bind, link, log } = setup()
    const started = lifecycle.start(handler, options)
    bind()
    await started
    const closed = lifecycle.close()
    expect(lifecycle.addLink(link('late'))).toBe(false)
    await closed
    expect(log).toEqual(['listen 64', 'release'])
  })

  it('starting → closing → closed: start() rejects HB_ERR_TRANSPORT_CLOSED and the bind that completes later is released', async () => {
    const { lifecycle, bind, log } = setup()
    const started = rejection(lifecycle.start(handler, options))
    const closed = lifecycle.close()
    expect(lifecycle.state).toBe('closing')
    await flush()
    expect(log).toEqual(['listen 64'])
    bind()
    expect(codeOf(await started)).toBe('HB_ERR_TRANSPORT_CLOSED')
    await closed
    expect([lifecycle.state, lifecycle.address()]).toEqual(['closed', null])
    expect(log).toEqual(['listen 64', 'release'])
  })

  it('starting → closing → closed when the bind then fails: start() rejects HB_ERR_TRANSPORT_CLOSED, nothing to release', async () => {
    const { lifecycle, fail, log } = setup()
    const started = rejection(lifecycle.start(handler, options))
    const closed = lifecycle.close()
    const busy = new Error('EADDRINUSE')
    fail(busy)
    const error = await started
    expect(codeOf(error)).toBe('HB_ERR_TRANSPORT_CLOSED')
    expect((error as Error).cause).toBe(busy)
    await closed
    expect(lifecycle.state).toBe('closed')
    expect(log).toEqual(['listen 64'])
  })

  it('idle → closed: nothing to release, and start() afterwards rejects HB_ERR_TRANSPORT_CLOSED without listening', async () => {
    const { lifecycle, log } = setup()
    await lifecycle.close()
    expect(lifecycle.state).toBe('closed')
    expect(codeOf(await rejection(lifecycle.start(handler, options)))).toBe('HB_ERR_TRANSPORT_CLOSED')
    expect(log).toEqual([])
  })

  it('close() is idempotent: the same promise every time, one release', async () => {
    const { lifecycle, bind, log } = setup()
    const started = lifecycle.start(handler, options)
    bind()
    await started
    const first = lifecycle.close()
    expect(lifecycle.close()).toBe(first)
    await first
    expect(lifecycle.close()).toBe(first)
    expect(codeOf(await rejection(lifecycle.start(handler, options)))).toBe('HB_ERR_TRANSPORT_CLOSED')
    expect(log).toEqual(['listen 64', 'release'])
  })
})
