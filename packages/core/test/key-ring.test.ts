import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { createKeyRing, isKeyRing, isValidKeyId } from '../src/signing/key-ring.js'
import type { KeyRingOptions } from '../src/signing/key-ring.js'

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

const secretText = 'hunter2-super-secret-key'
const secretBytes = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe, 0x13, 0x37])

describe('createKeyRing: valid rings', () => {
  const rows: Array<{ name: string; options: KeyRingOptions; ids: string[]; bytes: Record<string, Uint8Array> }> = [
    {
      name: 'one string key',
      options: { current: 'k1', keys: { k1: 'one' } },
      ids: ['k1'],
      bytes: { k1: utf8('one') },
    },
    {
      name: 'string and byte keys, current not first',
      options: { current: 'k2', keys: { k1: 'one', k2: Uint8Array.of(1, 2, 3) } },
      ids: ['k1', 'k2'],
      bytes: { k1: utf8('one'), k2: Uint8Array.of(1, 2, 3) },
    },
    {
      name: 'ids at the edges of the allowed range: "!" and "~", 64 characters',
      options: { current: '!', keys: { '!': 'a', '~': 'b', ['x'.repeat(64)]: 'c' } },
      ids: ['!', '~', 'x'.repeat(64)],
      bytes: { '!': utf8('a'), '~': utf8('b'), ['x'.repeat(64)]: utf8('c') },
    },
    {
      name: 'non-ASCII string key is used as UTF-8',
      options: { current: 'k', keys: { k: 'ключ-東京' } },
      ids: ['k'],
      bytes: { k: utf8('ключ-東京') },
    },
    {
      name: 'a key id that is an Object.prototype name',
      options: { current: 'constructor', keys: { constructor: 'c' } },
      ids: ['constructor'],
      bytes: { constructor: utf8('c') },
    },
  ]

  it.each(rows)('$name', ({ options, ids, bytes }) => {
    const ring = createKeyRing(options)
    expect(ring.currentKeyId).toBe(options.current)
    expect(ring.keyIds()).toEqual(ids)
    for (const id of ids) expect(hex(ring.key(id) ?? new Uint8Array(0))).toBe(hex(bytes[id] ?? Uint8Array.of(0xff)))
    expect(isKeyRing(ring)).toBe(true)
  })
})

describe('key lookup', () => {
  const ring = createKeyRing({ current: 'k2', keys: { k1: 'one', k2: 'two' } })

  it.each([
    ['k1', 'one'],
    ['k2', 'two'],
  ])('key(%j) is its key', (id, text) => {
    expect(hex(ring.key(id) ?? new Uint8Array(0))).toBe(hex(utf8(text)))
  })

  it.each(['', 'k3', 'K1', 'k1 ', ' k1', '__proto__', 'toString', 'constructor', 'hasOwnProperty'])(
    'key(%j) is undefined',
    (id) => {
      expect(ring.key(id)).toBeUndefined()
    },
  )

  it('returns the same array every time (no copy per frame)', () => {
    expect(ring.key('k1')).toBe(ring.key('k1'))
  })

  it('keyIds() is a fresh array: writing to it changes nothing', () => {
    const ids = ring.keyIds()
    ids.push('evil')
    ids[0] = 'changed'
    expect(ring.keyIds()).toEqual(['k1', 'k2'])
  })

  it('copies byte keys: writing to the caller’s array later changes nothing', () => {
    const bytes = Uint8Array.of(1, 2, 3)
    const copied = createKeyRing({ current: 'k', keys: { k: bytes } })
    bytes[0] = 99
    expect(hex(copied.key('k') ?? new Uint8Array(0))).toBe('010203')
  })

  it('copies Buffer keys too (a Buffer’s slice() would share memory)', () => {
    const buffer = Buffer.from([4, 5, 6])
    const copied = createKeyRing({ current: 'k', keys: { k: buffer } })
    buffer[0] = 99
    const key = copied.key('k') ?? new Uint8Array(0)
    expect(hex(key)).toBe('040506')
    expect(Object.getPrototypeOf(key)).toBe(Uint8Array.prototype)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(ring)).toBe(true)
    expect(() => {
      ;(ring as { currentKeyId: string }).currentKeyId = 'k1'
    }).toThrow(TypeError)
  })
})

describe('configuration errors', () => {
  const rows: Array<{ name: string; options: unknown; message: RegExp }> = [
    { name: 'options null', options: null, message: /key ring options must be an object \{ current, keys \}, got null/ },
    { name: 'options a string', options: secretText, message: /key ring options must be an object .* got string/ },
    { name: 'keys missing', options: { current: 'k1' }, message: /"keys" must be an object mapping key ids to keys, got undefined/ },
    { name: 'keys an array', options: { current: '0', keys: [secretText] }, message: /"keys" must be an object .* got Array/ },
    { name: 'keys empty', options: { current: 'k1', keys: {} }, message: /"keys" is empty: a key ring needs at least one key/ },
    { name: 'empty id', options: { current: '', keys: { '': secretText } }, message: /key id "" is invalid: key ring ids are 1–64 characters/ },
    { name: 'id with a space', options: { current: 'k 1', keys: { 'k 1': secretText } }, message: /key id "k 1" is invalid/ },
    { name: 'id of 65 characters', options: { current: 'k1', keys: { ['x'.repeat(65)]: secretText } }, message: /key id "x{65}" is invalid/ },
    { name: 'non-ASCII id', options: { current: 'k1', keys: { 'ключ': secretText } }, message: /key id "\\u043a\\u043b\\u044e\\u0447" is invalid/ },
    { name: 'id with DEL (0x7f)', options: { current: 'k1', keys: { 'k\x7f': secretText } }, message: /key id "k\\u007f" is invalid/ },
    { name: 'id with a tab', options: { current: 'k1', keys: { 'k\t': secretText } }, message: /key id "k\\t" is invalid/ },
    { name: 'empty string key', options: { current: 'k1', keys: { k1: '' } }, message: /key "k1" is empty/ },
    { name: 'empty byte key', options: { current: 'k1', keys: { k1: new Uint8Array(0) } }, message: /key "k1" is empty/ },
    { name: 'key of the wrong type', options: { current: 'k1', keys: { k1: 1234 } }, message: /key "k1" must be a string or a Uint8Array, got number/ },
    { name: 'key an ArrayBuffer', options: { current: 'k1', keys: { k1: new ArrayBuffer(4) } }, message: /key "k1" must be .* got ArrayBuffer/ },
    { name: 'current missing', options: { keys: { k1: secretText } }, message: /"current" must be a key id string, got undefined/ },
    { name: 'current not a string', options: { current: 1, keys: { 1: secretText } }, message: /"current" must be a key id string, got number/ },
    { name: 'current not among the keys', options: { current: 'k3', keys: { k1: secretText, k2: secretBytes } }, message: /"current" is "k3", which is not among its keys \("k1", "k2"\)/ },
  ]

  describe.each(rows)('$name', ({ options, message }) => {
    const call = (): unknown => createKeyRing(options as KeyRingOptions)

    it('throws HB_ERR_CONFIG with its message', () => {
      expect(call).toThrow(message)
      expect(call).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG', name: 'HeartbeatError' }))
    })

    it('the message contains no key material', () => {
      let caught: unknown
      try {
        call()
      } catch (error) {
        caught = error
      }
      expect(HeartbeatError.isInstance(caught)).toBe(true)
      const message = (caught as Error).message
      expect(message).not.toContain(secretText)
      expect(message).not.toContain(hex(secretBytes))
      expect(message).not.toContain(String(Array.from(secretBytes)))
    })
  })
})

describe('the ring never shows its keys', () => {
  const ring = createKeyRing({ current: 'k2', keys: { k1: secretText, k2: secretBytes } })
  const outputs: Array<[string, () => string]> = [
    ['String(ring)', () => String(ring)],
    ['template literal', () => `${String(ring)}`],
    ['JSON.stringify(ring)', () => JSON.stringify(ring)],
    ['JSON.stringify inside an object', () => JSON.stringify({ options: { keys: ring } })],
    ['util.inspect(ring)', () => inspect(ring)],
    ['util.inspect(ring, { showHidden, depth: ∞ })', () => inspect(ring, { showHidden: true, depth: Infinity })],
    ['Object.keys / values', () => JSON.stringify(Object.keys(ring)) + String(Object.values(ring))],
  ]

  it.each(outputs)('%s', (_name, render) => {
    const text = render()
    expect(text).not.toContain(secretText)
    expect(text).not.toContain(hex(secretBytes))
    expect(text).not.toContain(Buffer.from(secretBytes).toString('base64'))
    expect(text).not.toContain(String(Array.from(secretBytes)))
    expect(text).not.toMatch(/222,\s*173/) // 0xde, 0xad as decimal elements
  })

  it('shows the current id and the ids instead', () => {
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ currentKeyId: 'k2', keyIds: ['k1', 'k2'] })
    expect(String(ring)).toBe('KeyRing { current: "k2", keyIds: ["k1","k2"] }')
    expect(inspect(ring)).toBe(String(ring))
  })
})

describe('isKeyRing and isValidKeyId', () => {
  const lookalike = { currentKeyId: 'k1', key: () => utf8('x'), keyIds: () => ['k1'] }
  it.each([
    ['a ring', createKeyRing({ current: 'k', keys: { k: 'v' } }), true],
    ['ring options', { current: 'k', keys: { k: 'v' } }, false],
    ['a hand-made object with the same members', lookalike, false],
    ['a ring marked by another copy of @hb/core', { ...lookalike, [Symbol.for('@hb/core/KeyRing')]: true }, true],
    ['null', null, false],
    ['undefined', undefined, false],
    ['a string', 'k', false],
  ])('isKeyRing(%s) is %s', (_name, value, expected) => {
    expect(isKeyRing(value)).toBe(expected)
  })

  it.each([
    ['', true],
    ['k1', true],
    ['!~', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['a b', false],
    ['é', false],
    ['\x20', false],
    ['\x7f', false],
    [undefined, false],
    [1, false],
  ])('isValidKeyId(%j) is %s', (value, expected) => {
    expect(isValidKeyId(value)).toBe(expected)
  })
})
