import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import { createHttpClient, createHttpServer } from '../src/index.js'

transportConformance(
  { describe, it, expect, afterEach },
  {
    name: 'http',
    kind: 'request',
    createServer: (port) => createHttpServer({ host: '127.0.0.1', port: port ?? 0, path: '/hb' }),
    createClient: (address) => createHttpClient({ url: address.url ?? `http://127.0.0.1:${address.port}/hb` }),
  },
)
