import { describe, expect, it } from 'vitest'
import { createMonitor } from '@hb/core'
import { createFetchHandler, createHttpClient, createHttpHandler, createHttpServer } from '../src/index.js'

describe('unknown option names', () => {
  it('the client, the server transport and both handlers refuse an option they do not have, naming the one meant', () => {
    const monitor = createMonitor({ secret: 's' })
    const refused = (make: () => unknown, message: string) => expect(make).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG', message }))
    refused(() => createHttpClient({ url: 'http://127.0.0.1:1/', encodign: 'binary' } as never), 'createHttpClient: unknown option "encodign" (did you mean \'encoding\'?)')
    refused(() => createHttpServer({ port: 0, maxBodyBytes: 10 } as never), 'createHttpServer: unknown option "maxBodyBytes"')
    refused(() => createHttpHandler(monitor, { pth: '/hb' } as never), 'createHttpHandler: unknown option "pth" (did you mean \'path\'?)')
    refused(() => createHttpHandler(monitor, { remoteAddress: () => 'x' } as never), 'createHttpHandler: unknown option "remoteAddress"')
    refused(() => createFetchHandler(monitor, { remoteAdress: () => 'x' } as never), 'createFetchHandler: unknown option "remoteAdress" (did you mean \'remoteAddress\'?)')
    // The fetch handler's own option is known to it.
    expect(typeof createFetchHandler(monitor, { path: '/hb', remoteAddress: () => 'x' })).toBe('function')
  })
})
