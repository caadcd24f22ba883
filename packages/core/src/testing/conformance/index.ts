/**
 * `transportConformance`: the whole seam (`adapter/transport.ts`) as one
 * suite, a case per sentence, run by each adapter against real sockets (and
 * by core against the memory transport), so every transport keeps the same
 * promises where the core can tell. Case names start with the tag of the
 * sentence they check (`S7`, `C10`, …; the tags are in transport.ts).
 *
 * The test functions are passed in rather than imported: `@hb/core/testing`
 * also serves plain scripts (the fake clock), which must not need vitest.
 *
 * ```ts
 * import { describe, it, expect, afterEach } from 'vitest'
 * transportConformance({ describe, it, expect, afterEach }, {
 *   name: 'udp',
 *   capabilities: { kind: 'datagram', replyAfterReturn: 'ignored' },
 *   createServer: (port) => createUdpServer({ host: '127.0.0.1', port: port ?? 0 }),
 *   createClient: (address) => createUdpClient({ host: address.host, port: address.port }),
 * })
 * ```
 */
import { clientCases } from './client-cases.js'
import { frameCases } from './frame-cases.js'
import { linkCases } from './link-cases.js'
import { monitorCases } from './monitor-cases.js'
import type { ConformanceOptions, ConformanceTestApi } from './options.js'
import { resolveConformance } from './options.js'
import { createRegister } from './register.js'
import { serverCases } from './server-cases.js'

export type { ConformanceExpectation, ConformanceIt, ConformanceOptions, ConformanceTestApi, TransportCapabilities } from './options.js'

/**
 * Registers the conformance suite for one transport mode with the given test
 * runner: one `describe` named after `options.name`, with a case for every
 * sentence of the seam; cases that do not apply to the transport's
 * capabilities are registered as skipped (where the runner has `it.skip`),
 * with the reason in their name.
 */
export function transportConformance(t: ConformanceTestApi, options: ConformanceOptions): void {
  const conf = resolveConformance(options)
  const register = createRegister(t, conf)
  t.describe(`transport conformance: ${conf.name}`, () => {
    serverCases(register)
    frameCases(register)
    linkCases(register)
    clientCases(register)
    monitorCases(register)
  })
}
