/**
 * Hostile inputs on TCP: absurd length prefixes and idle connections.
 */
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTcpServer } from '@hb/tcp'
import { createCleanup, startMonitor } from './support/monitor-harness.js'
import { rssMiB } from './support/memory.js'
import { closed, tcpConnect } from './support/sockets.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

async function tcpMonitor(helloTimeoutMs = 10_000) {
  const server = createTcpServer({ host: '127.0.0.1', port: 0 })
  const harness = await startMonitor({ transports: [server], helloTimeoutMs })
  cleanup.add(() => harness.monitor.close())
  return { ...harness, port: server.address()!.port }
}

describe('tcp length prefixes', () => {
  for (const [name, length] of [
    ['4 GiB', 0xffff_ffff],
    ['1 GiB', 0x4000_0000],
  ] as const) {
    it(`a ${name} length prefix closes the connection, is rejected as too-large, and allocates nothing`, async () => {
      const { port, monitor, waiter, rejectedCount } = await tcpMonitor()
      const before = rssMiB()
      const socket = await tcpConnect(port)
      cleanup.add(() => socket.destroy())
      const prefix = Buffer.alloc(4)
      prefix.writeUInt32BE(length)
      socket.write(prefix)
      // Then keep sending: a server that believed the prefix would buffer all of it.
      socket.write(Buffer.alloc(1 << 20))
      await closed(socket, 5000, 'the connection')
      await waiter.until(() => rejectedCount('too-large') === 1, 5000, 'a too-large rejection')
      expect(monitor.size).toBe(0)
      expect(rssMiB() - before).toBeLessThan(64)
    })
  }
})

describe('idle tcp connections', () => {
  it('2,000 connections that never send a frame are all closed by the hello deadline', async () => {
    const { port, monitor } = await tcpMonitor(300)
    const before = rssMiB()
    const sockets: Socket[] = []
    for (let i = 0; i < 2000; i++) sockets.push(await tcpConnect(port))
    cleanup.add(() => sockets.forEach((socket) => socket.destroy()))
    await Promise.all(sockets.map((socket) => closed(socket, 15_000, 'an idle connection')))
    expect(sockets.every((socket) => socket.closed)).toBe(true)
    expect(monitor.size).toBe(0)
    expect(rssMiB() - before).toBeLessThan(96)
  })
})
