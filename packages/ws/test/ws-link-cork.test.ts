import { EventEmitter } from 'node:events'
import type { ServerTransportHandler } from '@hb/core/adapter'
import { describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { createWsLink } from '../src/ws-link.js'

// The acks to every message of one read must leave in one write: the socket is
// corked at the first reply and uncorked once the read's messages are handled.
class StubWs extends EventEmitter {
  readonly OPEN = 1
  readyState = 1
  bufferedAmount = 0
  sent: boolean[] = []
  constructor(private readonly socket: { corked: number }) {
    super()
  }
  send(): void {
    this.sent.push(this.socket.corked > 0)
  }
  terminate(): void {}
  ping(): void {}
}

describe('a WebSocket link', () => {
  it('corks the socket for the replies of one read and uncorks right after', async () => {
    const socket = { corked: 0, cork() { this.corked++ }, uncork() { this.corked-- } }
    const ws = new StubWs(socket)
    const handler: ServerTransportHandler = {
      onFrame(frame) {
        frame.reply(Uint8Array.of(1, 2, 3))
        return { accepted: true }
      },
      onLinkUp: () => undefined,
      onLinkDown: () => undefined,
      onRejected: () => undefined,
    }
    createWsLink(ws as unknown as WebSocket, 1, { handler, remoteAddress: '10.0.0.1:1', maxBufferedBytes: 1000, onDown: () => undefined, socket })
    // One read that held three messages: ws emits them synchronously, one after another.
    for (let i = 0; i < 3; i++) ws.emit('message', Buffer.from([0x68, 0x62, i]), true)
    expect(ws.sent).toEqual([true, true, true])
    expect(socket.corked).toBe(1)
    await Promise.resolve()
    expect(socket.corked).toBe(0)
  })
})
