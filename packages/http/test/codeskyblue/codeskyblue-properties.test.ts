import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFakeClock } from '@hb/core/testing'
import { createCodeskyblueProtocol } from '../../src/codeskyblue/codeskyblue-protocol.js'

// The legacy endpoint faces the open internet: any field values must give a
// well-formed answer, never a throw, and never create state without a valid MAC.
describe('codeskyblue protocol properties', () => {
  it('any request fields: a 200 or 400 answer, no throw, no state without a valid MAC', () => {
    const protocol = createCodeskyblueProtocol({ keyFor: () => new TextEncoder().encode('legacy-secret'), clock: createFakeClock(0) })
    const field = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('', ':', 'timestamp', '0', '-1', '1e3'))
    fc.assert(
      fc.property(field, field, fc.oneof(field, fc.stringMatching(/^[0-9a-f]{64}$/)), (identifier, timestamp, messageMAC) => {
        const answer = protocol.handle({ identifier, timestamp, messageMAC })
        expect([200, 400]).toContain(answer.status)
        expect(typeof answer.body).toBe('string')
        expect(answer.beat).toBeUndefined()
      }),
      { numRuns: 500 },
    )
    expect(protocol.size).toBe(0)
  })
})
