import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createWsClient, createWsServer } from '../src/index.js'

describe('unknown option names', () => {
  it('createWsClient and createWsServer (either form) refuse an option they do not have, naming the one meant', () => {
    expect(() => createWsClient({ url: 'ws://127.0.0.1:1/', webSocket: class {} } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createWsClient: unknown option "webSocket" (did you mean \'WebSocket\'?)' }),
    )
    expect(() => createWsServer({ port: 0, upgradeTimeout: 10 } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createWsServer: unknown option "upgradeTimeout" (did you mean \'upgradeTimeoutMs\'?)' }),
    )
    expect(() => createWsServer({ server: createServer(), path: '/hb', host: '127.0.0.1', hots: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_CONFIG', message: 'createWsServer: unknown option "hots" (did you mean \'host\'?)' }),
    )
  })
})
