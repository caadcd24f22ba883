import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryTransportPair, transportConformance } from '../src/testing/index.js'
import type { MemoryTransportPair } from '../src/testing/index.js'

// The conformance suite run against the in-memory transport, in both kinds: it
// checks the suite itself as much as the transport.
for (const kind of ['connection', 'datagram'] as const) {
  const pairs = new Map<number, MemoryTransportPair>()
  transportConformance(
    { describe, it, expect, afterEach },
    {
      name: `memory (${kind})`,
      capabilities: { kind },
      createServer(port) {
        const pair = createMemoryTransportPair({ kind, ...(port === undefined ? {} : { port }) })
        pairs.set(pair.port, pair)
        return pair.server
      },
      createClient(address) {
        const pair = pairs.get(address.port)
        if (pair === undefined) throw new Error(`no memory server on port ${address.port}`)
        return pair.createClient()
      },
    },
  )
}
