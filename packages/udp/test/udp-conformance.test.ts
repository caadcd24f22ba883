import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import { createUdpClient, createUdpServer } from '../src/index.js'

transportConformance(
  { describe, it, expect, afterEach },
  {
    name: 'udp',
    kind: 'datagram',
    createServer: (port) => createUdpServer({ host: '127.0.0.1', port: port ?? 0 }),
    createClient: (address) => createUdpClient({ host: address.host, port: address.port }),
  },
)
