import { createServer, IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { rawHeader } from '../src/raw-header.js'

function requestWith(rawHeaders: string[]): IncomingMessage {
  const req = new IncomingMessage(new Socket())
  req.rawHeaders = rawHeaders
  return req
}

describe('rawHeader', () => {
  it('finds a header whatever the case of its name, the first value of several, and nothing when absent', () => {
    const req = requestWith(['Host', 'x', 'CONTENT-TYPE', 'application/json', 'Content-Length', '12', 'content-type', 'text/plain'])
    expect(rawHeader(req, 'content-type')).toBe('application/json')
    expect(rawHeader(req, 'content-length')).toBe('12')
    expect(rawHeader(req, 'transfer-encoding')).toBeUndefined()
  })

  it('agrees with req.headers on a real request, duplicates and case included', async () => {
    const seen: Array<[string | undefined, string | string[] | undefined]> = []
    const server = createServer((req, res) => {
      for (const name of ['content-type', 'transfer-encoding', 'content-length']) seen.push([rawHeader(req, name), req.headers[name]])
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const socket = connect(port, '127.0.0.1')
    const done = new Promise<void>((resolve) => socket.once('data', () => resolve()))
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nCONTENT-type: application/json\r\nContent-Type: text/plain\r\ncontent-length: 0\r\n\r\n')
    await done
    socket.destroy()
    await new Promise((resolve) => server.close(resolve))
    expect(seen).toStrictEqual([
      ['application/json', 'application/json'],
      [undefined, undefined],
      ['0', '0'],
    ])
  })

  it('reads headers when a hand-made request has no raw headers', () => {
    const req = { headers: { 'content-type': 'application/json' }, rawHeaders: [] } as unknown as IncomingMessage
    expect(rawHeader(req, 'content-type')).toBe('application/json')
    expect(rawHeader({ headers: {} } as unknown as IncomingMessage, 'content-length')).toBeUndefined()
  })
})
