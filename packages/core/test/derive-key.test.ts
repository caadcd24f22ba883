import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { deriveKey } from '../src/signing/derive-key.js'
import { deriveKeyWeb } from '../src/signing/derive-key-web.js'
import type { KeyInput } from '../src/signing/key-material.js'

interface DeriveVector {
  label: string
  masterUtf8?: string
  masterHex?: string
  peerId: string
  peerIdHex: string
  keyHex: string
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/signing.json', import.meta.url), 'utf8')) as {
  deriveKey: { salt: string; length: number; vectors: DeriveVector[] }
}
const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

function masterOf(vector: DeriveVector): KeyInput {
  if (vector.masterUtf8 !== undefined) return vector.masterUtf8
  if (vector.masterHex !== undefined) return fromHex(vector.masterHex)
  throw new Error(`vector ${vector.label} has no master`)
}

describe('deriveKey and deriveKeyWeb: vectors from an independent HKDF (make-signing.py)', () => {
  it('the fixture uses the protocol parameters and has a non-ASCII peer', () => {
    expect(fixtures.deriveKey.salt).toBe('hb/v1/peer-key')
    expect(fixtures.deriveKey.length).toBe(32)
    expect(fixtures.deriveKey.vectors.length).toBeGreaterThanOrEqual(3)
    expect(fixtures.deriveKey.vectors.some((vector) => [...vector.peerId].some((char) => (char.codePointAt(0) ?? 0) > 0x7f))).toBe(true)
  })

  describe.each(fixtures.deriveKey.vectors)('$label', (vector) => {
    it('peer id bytes in the fixture are its UTF-8', () => {
      expect(toHex(utf8(vector.peerId))).toBe(vector.peerIdHex)
    })

    it('node', () => {
      const key = deriveKey(masterOf(vector), vector.peerId)
      expect(Object.getPrototypeOf(key)).toBe(Uint8Array.prototype)
      expect(toHex(key)).toBe(vector.keyHex)
    })

    it('web', async () => {
      const key = await deriveKeyWeb(masterOf(vector), vector.peerId)
      expect(Object.getPrototypeOf(key)).toBe(Uint8Array.prototype)
      expect(toHex(key)).toBe(vector.keyHex)
    })

    it('a string master and its UTF-8 bytes give the same key', async () => {
      const master = masterOf(vector)
      const asBytes = typeof master === 'string' ? utf8(master) : master
      expect(toHex(deriveKey(asBytes, vector.peerId))).toBe(vector.keyHex)
      expect(toHex(await deriveKeyWeb(asBytes, vector.peerId))).toBe(vector.keyHex)
    })
  })
})

describe('distinct inputs give distinct keys', () => {
  it('200 peers under one master all differ, and both paths agree on each', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const peerId = `peer-${i}`
      const key = toHex(deriveKey('master', peerId))
      expect(toHex(await deriveKeyWeb('master', peerId))).toBe(key)
      seen.add(key)
    }
    expect(seen.size).toBe(200)
  })

  it.each([
    ['peer ids differing only in case', ['a', 'A']],
    ['a peer id and its extension', ['client', 'client-']],
    ['composed and decomposed é (no normalisation)', ['\u00e9', 'e\u0301']],
    ['a trailing NUL', ['x', 'x\u0000']],
  ])('%s', (_name, [first, second]) => {
    expect(toHex(deriveKey('master', first as string))).not.toBe(toHex(deriveKey('master', second as string)))
  })

  it('different masters give different keys for one peer', () => {
    expect(toHex(deriveKey('master-1', 'p'))).not.toBe(toHex(deriveKey('master-2', 'p')))
  })

  it('is 32 bytes and not the master itself', () => {
    const key = deriveKey(fromHex('00'.repeat(32)), 'p')
    expect(toHex(key)).not.toBe('00'.repeat(32))
    expect(key.length).toBe(32)
  })
})

describe('bad input', () => {
  const secretMaster = 'do-not-leak-this-master'
  const rows: Array<{ name: string; master: unknown; peerId: unknown; message: RegExp }> = [
    { name: 'empty string master', master: '', peerId: 'p', message: /master key is empty/ },
    { name: 'empty byte master', master: new Uint8Array(0), peerId: 'p', message: /master key is empty/ },
    { name: 'master of the wrong type', master: 42, peerId: 'p', message: /master key must be a string or a Uint8Array, got number/ },
    { name: 'master as an ArrayBuffer', master: new ArrayBuffer(8), peerId: 'p', message: /got ArrayBuffer/ },
    { name: 'empty peer id', master: secretMaster, peerId: '', message: /peerId must be 1–255 UTF-8 bytes, got 0/ },
    { name: '256 ASCII bytes', master: secretMaster, peerId: 'p'.repeat(256), message: /got 256/ },
    { name: '128 × é = 256 bytes (128 characters)', master: secretMaster, peerId: '\u00e9'.repeat(128), message: /got 256/ },
    { name: '64 × 🚀 = 256 bytes', master: secretMaster, peerId: '\u{1f680}'.repeat(64), message: /got 256/ },
    { name: 'lone high surrogate', master: secretMaster, peerId: 'a\ud800b', message: /lone surrogate/ },
    { name: 'lone low surrogate', master: secretMaster, peerId: '\udc00', message: /lone surrogate/ },
    { name: 'reversed surrogate pair', master: secretMaster, peerId: '\ude80\ud83d', message: /lone surrogate/ },
    { name: 'peer id of the wrong type', master: secretMaster, peerId: 7, message: /peerId must be a string, got number/ },
    { name: 'peer id undefined', master: secretMaster, peerId: undefined, message: /peerId must be a string, got undefined/ },
  ]

  describe.each(rows)('$name', (row) => {
    const call = (): Uint8Array => deriveKey(row.master as KeyInput, row.peerId as string)

    it('node throws HB_ERR_CONFIG with a clear message that does not contain the master', () => {
      expect(call).toThrow(HeartbeatError)
      expect(call).toThrow(row.message)
      try {
        call()
      } catch (error) {
        expect((error as HeartbeatError).code).toBe('HB_ERR_CONFIG')
        expect((error as Error).message).not.toContain(secretMaster)
      }
    })

    it('web rejects the same way', async () => {
      const promise = deriveKeyWeb(row.master as KeyInput, row.peerId as string)
      await expect(promise).rejects.toThrow(row.message)
      await expect(promise).rejects.toMatchObject({ code: 'HB_ERR_CONFIG' })
    })
  })

  it.each([
    ['255 ASCII bytes', 'p'.repeat(255)],
    ['85 × 東 = 255 bytes', '\u6771'.repeat(85)],
    ['a surrogate pair (one astral character)', '\u{1f680}'],
    ['one byte', 'x'],
  ])('accepts %s', async (_name, peerId) => {
    expect(toHex(await deriveKeyWeb('m', peerId))).toBe(toHex(deriveKey('m', peerId)))
  })
})
