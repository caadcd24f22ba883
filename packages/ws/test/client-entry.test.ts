/**
 * `@hb/ws/client` (src/client.ts): what it may import, that it is the same
 * `createWsClient` as `@hb/ws`'s, and how it finds a `WebSocket`. The
 * transport's behaviour is covered in ws-client.test.ts; a real browser runs
 * it in browser.test.ts.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HeartbeatError } from '@hb/core'
import type { ClientTransportHandler } from '@hb/core/adapter'
import { WebSocket as NodeWebSocket } from 'ws'
import { createWsClient } from '../src/client.js'
import type { WebSocketConstructor } from '../src/client.js'
import * as root from '../src/index.js'
import { createWsServer } from '../src/index.js'
import { createWaiter } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const codeOf = (error: unknown): string | undefined => (HeartbeatError.isInstance(error) ? error.code : undefined)
const ignore: ClientTransportHandler = { onFrame: () => undefined, onLinkDown: () => undefined }

/** The modules a file imports, statically (`from '…'`) or dynamically (`import('…')`). */
function importsOf(file: string): string[] {
  const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8')
  return [...source.matchAll(/^(?:import|export) .* from '([^']+)'|\bimport\(\s*'([^']+)'/gm)].map((m) => m[1] ?? m[2] ?? '')
}

/** A constructor that records the URLs it was called with and opens at once. */
function openingSocket(urls: string[]): WebSocketConstructor {
  return class {
    binaryType = 'blob'
    readyState = 1
    constructor(url: string) {
      urls.push(url)
    }
    addEventListener(type: string, listener: () => void): void {
      if (type === 'open') queueMicrotask(() => listener())
    }
    close(): void {}
  } as unknown as WebSocketConstructor
}

describe('@hb/ws/client', () => {
  it('reaches only @hb/core and browser-safe files of its own: no server, no ws, no Node module', () => {
    const seen = new Set<string>()
    const outside: string[] = []
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      for (const name of importsOf(file)) {
        if (name.startsWith('./')) visit(name.slice(2).replace(/\.js$/, '.ts'))
        else if (name !== '@hb/core' && name !== '@hb/core/adapter') outside.push(`${file} → ${name}`)
      }
    }
    visit('client.ts')
    expect(outside).toEqual([])
    expect([...seen].sort()).toEqual(['client.ts', 'find-websocket.ts', 'to-bytes.ts', 'websocket-like.ts', 'ws-client.ts'])
  })

  it('exports the very createWsClient that @hb/ws exports', () => {
    expect(createWsClient).toBe(root.createWsClient)
  })

  it("uses ws in a Node without a global WebSocket (Node 20 and 21), looked up at run time", async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined()
    const server = createWsServer({ host: '127.0.0.1', port: 0 })
    const waiter = createWaiter()
    const frames: number[][] = []
    await server.start(
      { onFrame: (frame) => (frames.push([...frame.bytes]), waiter.notify(), { accepted: true }), onLinkUp: () => undefined, onLinkDown: () => undefined, onRejected: () => undefined },
      { maxFrameBytes: 64 },
    )
    cleanup.push(() => server.close())
    const transport = createWsClient({ url: server.address()?.url ?? '' })
    cleanup.push(() => transport.close())
    await transport.connect(ignore, { maxFrameBytes: 64 })
    await transport.send(Uint8Array.of(0x68, 0x62))
    await waiter.until(() => frames.length === 1, 'the frame at the server')
    expect(frames).toEqual([[0x68, 0x62]])
  })

  it('is a configuration error, at creation, in a runtime with no WebSocket and none passed (a browser-like one: no Node modules)', () => {
    vi.stubGlobal('WebSocket', undefined)
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined)
    const error = (() => {
      try {
        createWsClient({ url: 'ws://127.0.0.1:1/hb' })
      } catch (e) {
        return e
      }
    })()
    expect(codeOf(error)).toBe('HB_ERR_CONFIG')
    expect((error as Error).message).toMatch(/WebSocket option/)
  })

  it('uses the global WebSocket, looked up on connect', async () => {
    const urls: string[] = []
    vi.stubGlobal('WebSocket', openingSocket([]))
    const transport = createWsClient({ url: 'ws://fake.invalid/hb' })
    cleanup.push(() => transport.close())
    vi.stubGlobal('WebSocket', openingSocket(urls))
    await transport.connect(ignore, { maxFrameBytes: 64 })
    expect(urls).toEqual(['ws://fake.invalid/hb'])
  })

  it('prefers an injected WebSocket, and round-trips a frame over a real server with it', async () => {
    const server = createWsServer({ host: '127.0.0.1', port: 0 })
    await server.start(
      {
        onFrame: (frame) => (frame.reply(frame.bytes.slice()), { accepted: true }),
        onLinkUp: () => undefined,
        onLinkDown: () => undefined,
        onRejected: () => undefined,
      },
      { maxFrameBytes: 64 },
    )
    cleanup.push(() => server.close())
    vi.stubGlobal('WebSocket', openingSocket([]))
    const transport = createWsClient({ url: server.address()?.url ?? '', WebSocket: NodeWebSocket as unknown as WebSocketConstructor })
    cleanup.push(() => transport.close())
    const waiter = createWaiter()
    const frames: Uint8Array[] = []
    await transport.connect({ onFrame: (bytes) => void (frames.push(bytes.slice()), waiter.notify()), onLinkDown: () => undefined }, { maxFrameBytes: 64 })
    await transport.send(Uint8Array.of(0x68, 0x62))
    await waiter.until(() => frames.length === 1, 'the echo')
    expect([...(frames[0] ?? [])]).toEqual([0x68, 0x62])
  })
})
