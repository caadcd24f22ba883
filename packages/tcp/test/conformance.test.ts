import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import { createTcpClient, createTcpServer } from '../src/index.js'

transportConformance({ describe, it, expect, afterEach }, {
  name: 'tcp',
  capabilities: { kind: 'connection' },
  createServer: (port) => createTcpServer({ host: '127.0.0.1', port: port ?? 0 }),
  createClient: (address) => createTcpClient({ host: address.host, port: address.port }),
})
