import { describe, expect, it } from 'vitest'
import { createTcpClient, createTcpServer } from '../src/index.js'

describe('unknown option names', () => {
  it('createTcpClient and createTcpServer refuse an option they do not have, naming the one meant', () => {
    expect(() => createTcpClient({ host: '127.0.0.1', port: 1, nodelay: false } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createTcpClient: unknown option "nodelay" (did you mean \'noDelay\'?)' }),
    )
    expect(() => createTcpServer({ port: 0, maxBufferBytes: 10 } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createTcpServer: unknown option "maxBufferBytes" (did you mean \'maxBufferedBytes\'?)' }),
    )
  })
})
