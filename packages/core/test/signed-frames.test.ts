import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createKeyResolver, decodeFrame, signFrame, verifyFrame } from '../src/protocol.js'
import type { FrameFields } from '../src/protocol.js'

interface SignedVector {
  name: string
  keyHex: string
  fields: FrameFields
  canonicalHex: string
  macHex: string
  binaryHex: string
  json: string
}

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/signed-frames.json', import.meta.url)), 'utf8'),
) as SignedVector[]
const protocol = readFileSync(fileURLToPath(new URL('../../../PROTOCOL.md', import.meta.url)), 'utf8')
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('signed frame vectors (PROTOCOL.md §9)', () => {
  it.each(vectors)('$name', (v) => {
    const key = Buffer.from(v.keyHex, 'hex')
    expect(hex(signFrame(v.fields, key, 'binary'))).toBe(v.binaryHex)
    expect(new TextDecoder().decode(signFrame(v.fields, key, 'json'))).toBe(v.json)
    const keys = createKeyResolver({ key: (_peer, keyId) => (keyId === v.fields.keyId ? key : undefined), keyId: v.fields.keyId })
    for (const bytes of [Buffer.from(v.binaryHex, 'hex'), new TextEncoder().encode(v.json)]) {
      const verified = verifyFrame(bytes, keys, 2048)
      expect(verified.ok).toBe(true)
      const decoded = decodeFrame(bytes, 2048)
      expect(decoded.ok && hex(decoded.canonical)).toBe(v.canonicalHex)
    }
    const flipped = Buffer.from(v.binaryHex, 'hex')
    flipped[10] = (flipped[10] as number) ^ 1
    expect(verifyFrame(flipped, keys, 2048)).toMatchObject({ ok: false, reason: 'bad-signature' })
  })

  it('PROTOCOL.md quotes the fixture vectors exactly', () => {
    const quoted = [...protocol.matchAll(/^binary: +([0-9a-f]+)$/gm)].map((m) => m[1])
    expect(quoted.length).toBeGreaterThanOrEqual(3)
    for (const binary of quoted) expect(vectors.map((v) => v.binaryHex)).toContain(binary)
    for (const json of [...protocol.matchAll(/^json: +(\{.*\})$/gm)].map((m) => m[1])) {
      expect(vectors.map((v) => v.json)).toContain(json)
    }
  })
})
