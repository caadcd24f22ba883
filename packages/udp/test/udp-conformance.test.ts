import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import { createUdpClient, createUdpServer } from '../src/index.js'

// One reply function serves every datagram (no closure per datagram), so a reply after onFrame returned is dropped.
transportConformance(
  { describe, it, expect, afterEach },
  {
    name: 'udp',
    capabilities: { kind: 'datagram', replyAfterReturn: 'ignored' },
    createServer: (port) => createUdpServer({ host: '127.0.0.1', port: port ?? 0 }),
    createClient: (address) => createUdpClient({ host: address.host, port: address.port }),
  },
)
