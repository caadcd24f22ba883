import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import { createWsClient, createWsServer } from '../src/index.js'

transportConformance({ describe, it, expect, afterEach }, {
  name: 'ws',
  kind: 'connection',
  createServer: (port) => createWsServer({ host: '127.0.0.1', port: port ?? 0 }),
  createClient: (address) => createWsClient({ url: address.url ?? `ws://${address.host}:${address.port}/` }),
})
