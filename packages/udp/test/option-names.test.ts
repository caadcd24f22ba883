import { describe, expect, it } from 'vitest'
import { createUdpClient, createUdpServer } from '../src/index.js'

describe('unknown option names', () => {
  it('createUdpClient and createUdpServer refuse an option they do not have, naming the one meant', () => {
    expect(() => createUdpClient({ host: '127.0.0.1', port: 1, receiveBufferSize: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createUdpClient: unknown option "receiveBufferSize"' }),
    )
    expect(() => createUdpServer({ port: 0, sendBufferSiz: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createUdpServer: unknown option "sendBufferSiz" (did you mean \'sendBufferSize\'?)' }),
    )
  })
})
