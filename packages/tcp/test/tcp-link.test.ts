import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { InboundFrame, Link, ServerTransportHandler, TransportRejection } from '@hb/core/adapter'
import { encodeFrame } from '../src/framing.js'
import { createTcpLink } from '../src/tcp-link.js'

/** Just enough of a `net.Socket` to drive a link without a network: what it wrote, and whether it was destroyed. */
class StubSocket extends EventEmitter {
  remoteAddress = '10.0.0.7'
  remotePort = 4242
  destroyed = false
  writableLength = 0
  written: Uint8Array[] = []
  /** For each write, whether the socket was corked at the time. */
  writtenCorked: boolean[] = []
  corked = 0
  cork(): void {
    this.corked++
  }
  uncork(): void {
    this.corked--
  }
  write(bytes: Uint8Array): boolean {
    this.written.push(bytes)
    this.writtenCorked.push(this.corked > 0)
    return true
  }
  destroy(): this {
    this.destroyed = true
    return this
  }
}

function setup(maxBufferedBytes = 1000) {
  const socket = new StubSocket()
  const log: string[] = []
  const frames: InboundFrame[] = []
  const rejections: TransportRejection[] = []
  const handler: ServerTransportHandler = {
    onFrame(frame) {
      frames.push(frame)
      log.push(`frame ${Buffer.from(frame.bytes).toString('hex')}`)
      return { accepted: true }
    },
    onLinkUp: (link: Link) => void log.push(`up ${link.id}`),
    onLinkDown: (link: Link) => void log.push(`down ${link.id}`),
    onRejected(rejection) {
      rejections.push(rejection)
      log.push(`rejected ${rejection.reason}`)
    },
  }
  const untracked: Link[] = []
  const link = createTcpLink(socket as unknown as Socket, 7, { handler, maxFrameBytes: 16, maxBufferedBytes, onDown: (l) => void untracked.push(l) })
  return { socket, link, log, frames, rejections, untracked }
}

describe('a TCP link', () => {
  it('reports itself up, delivers frames with itself as link and its address, and replies length-prefixed', () => {
    const s = setup()
    s.socket.emit('data', Buffer.from(encodeFrame(Uint8Array.of(1, 2))))
    expect(s.log).toEqual(['up 7', 'frame 0102'])
    expect(s.frames[0]?.link).toBe(s.link)
    expect(s.frames[0]?.remoteAddress).toBe('10.0.0.7:4242')
    expect(s.link.remoteAddress).toBe('10.0.0.7:4242')
    s.frames[0]?.reply(Uint8Array.of(9))
    expect(s.socket.written.map((b) => Buffer.from(b).toString('hex'))).toEqual(['0000000109'])
  })

  it('writes the replies to every frame of one read while corked, and uncorks after', () => {
    const socket = new StubSocket()
    const handler: ServerTransportHandler = {
      onFrame(frame) {
        frame.reply(frame.bytes) // as the core does: the ack, synchronously inside onFrame
        return { accepted: true }
      },
      onLinkUp: () => undefined,
      onLinkDown: () => undefined,
      onRejected: () => undefined,
    }
    createTcpLink(socket as unknown as Socket, 1, { handler, maxFrameBytes: 16, maxBufferedBytes: 1000, onDown: () => undefined })
    socket.emit('data', Buffer.concat([Buffer.from(encodeFrame(Uint8Array.of(1))), Buffer.from(encodeFrame(Uint8Array.of(2)))]))
    expect(socket.written.map((b) => Buffer.from(b).toString('hex'))).toEqual(['0000000101', '0000000102'])
    expect(socket.writtenCorked).toEqual([true, true])
    expect(socket.corked).toBe(0)
  })

  it('hands the core plain Uint8Arrays, so its slice() copies', () => {
    const s = setup()
    s.socket.emit('data', Buffer.from(encodeFrame(Uint8Array.of(1, 2))))
    expect(Buffer.isBuffer(s.frames[0]?.bytes)).toBe(false)
  })

  it('drops replies while the write buffer is over budget, instead of growing it', () => {
    const s = setup(100)
    s.socket.writableLength = 101
    s.link.send(Uint8Array.of(1))
    expect(s.socket.written).toHaveLength(0)
    s.socket.writableLength = 100
    s.link.send(Uint8Array.of(1))
    expect(s.socket.written).toHaveLength(1)
  })

  it('on a framing failure: rejects, destroys the socket, reports link-down once, delivers nothing more', () => {
    const s = setup()
    s.socket.emit('data', Buffer.from([0, 0, 0, 17, 1, 2, 3]))
    s.socket.emit('data', Buffer.from(encodeFrame(Uint8Array.of(1))))
    s.socket.emit('close')
    expect(s.log).toEqual(['up 7', 'rejected too-large', 'down 7'])
    expect(s.rejections[0]).toMatchObject({ reason: 'too-large', remoteAddress: '10.0.0.7:4242' })
    expect(s.socket.destroyed).toBe(true)
    expect(s.untracked).toEqual([s.link])
  })

  it('close() reports link-down at once and only once, whatever the socket does next', () => {
    const s = setup()
    s.link.close()
    s.link.close()
    s.socket.emit('error', new Error('ECONNRESET'))
    s.socket.emit('close')
    s.socket.emit('data', Buffer.from(encodeFrame(Uint8Array.of(1))))
    s.link.send(Uint8Array.of(1))
    expect(s.log).toEqual(['up 7', 'down 7'])
    expect(s.socket.written).toHaveLength(0)
    expect(s.link.up).toBe(false)
  })

  it('a half-close from the peer ends the link at once', () => {
    const s = setup()
    s.socket.emit('end')
    expect(s.log).toEqual(['up 7', 'down 7'])
    expect(s.socket.destroyed).toBe(true)
  })

  it('a link closed by the core from inside onFrame gets no further frame from the same chunk', () => {
    const socket = new StubSocket()
    const seen: string[] = []
    createTcpLink(socket as unknown as Socket, 1, {
      maxFrameBytes: 16,
      maxBufferedBytes: 100,
      onDown: () => undefined,
      handler: {
        onFrame(frame) {
          seen.push('frame')
          frame.link?.close()
          return { accepted: true }
        },
        onLinkUp: () => undefined,
        onLinkDown: () => void seen.push('down'),
        onRejected: () => undefined,
      },
    })
    socket.emit('data', Buffer.concat([encodeFrame(Uint8Array.of(1)), encodeFrame(Uint8Array.of(2))]))
    expect(seen).toEqual(['frame', 'down'])
  })
})
