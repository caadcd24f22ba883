import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import type { ConformanceOptions } from '@hb/core/testing'
import { createUdpClient, createUdpServer } from '../src/index.js'
import { hasIpv6Loopback } from './helpers.js'

const api = { describe, it, expect, afterEach }

// One reply function serves every datagram (no closure per datagram), so a reply after onFrame returned is dropped.
const capabilities: ConformanceOptions['capabilities'] = { kind: 'datagram', replyAfterReturn: 'ignored' }

transportConformance(api, {
  name: 'udp',
  capabilities,
  createServer: (port) => createUdpServer({ host: '127.0.0.1', port: port ?? 0 }),
  createClient: (address) => createUdpClient({ host: address.host, port: address.port }),
})

// The default: no host, so dgram binds every IPv4 interface; clients reach it on the loopback.
transportConformance(api, {
  name: 'udp (every interface)',
  capabilities,
  createServer: (port) => createUdpServer({ port: port ?? 0 }),
  createClient: (address) => createUdpClient({ host: '127.0.0.1', port: address.port }),
})

// udp6 sockets, inferred from the host on both sides.
if (await hasIpv6Loopback()) {
  transportConformance(api, {
    name: 'udp6 (::1)',
    capabilities,
    createServer: (port) => createUdpServer({ host: '::1', port: port ?? 0 }),
    createClient: (address) => createUdpClient({ host: address.host, port: address.port }),
  })
} else {
  describe.skip('transport conformance: udp6 (::1) (skipped: this machine cannot bind the IPv6 loopback)', () => {
    it('every case', () => {})
  })
}
