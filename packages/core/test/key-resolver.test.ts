import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { deriveKey } from '../src/signing/derive-key.js'
import { hmacSha256, verifyHmacSha256 } from '../src/signing/hmac.js'
import type { KeyInput } from '../src/signing/key-material.js'
import { createKeyResolver } from '../src/signing/key-resolver.js'
import type { KeyOptions, KeyResolver, PeerKeyFunction } from '../src/signing/key-resolver.js'
import { createKeyRing } from '../src/signing/key-ring.js'

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const hex = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString('hex')

/** A stand-in for a frame's canonical bytes: what matters is who it claims to be about. */
const frameBytes = (peerId: string, seq: number): Uint8Array => utf8(`frame|${peerId}|${seq}`)

/** What a sender does: sign with signingKey. */
function send(sender: KeyResolver, peerId: string, seq = 0): { peerId: string; keyId: string; data: Uint8Array; mac: Uint8Array } {
  const { keyId, key } = sender.signingKey(peerId)
  const data = frameBytes(peerId, seq)
  return { peerId, keyId, data, mac: hmacSha256(key, data) }
}

/** What a receiver does: look the key up by the frame's claims, then verify. */
function receive(receiver: KeyResolver, frame: ReturnType<typeof send>): 'ok' | 'unknown-key' | 'bad-signature' {
  const key = receiver.verifyingKey(frame.peerId, frame.keyId)
  if (key === undefined) return 'unknown-key'
  return verifyHmacSha256(key, frame.data, frame.mac) ? 'ok' : 'bad-signature'
}

describe('the three kinds of key options', () => {
  const peerKeys: Record<string, string> = { alice: 'alice-key', bob: 'bob-key' }
  const perPeer: PeerKeyFunction = (peerId, keyId) => (keyId === 'p1' ? peerKeys[peerId] : undefined)

  const rows: Array<{
    name: string
    options: KeyOptions
    signs: { keyId: string; key: string }
    verifies: Array<[peerId: string, keyId: string, key: string | undefined]>
  }> = [
    {
      name: 'string secret',
      options: { secret: 'shared' },
      signs: { keyId: '', key: 'shared' },
      verifies: [['alice', '', 'shared'], ['bob', '', 'shared'], ['alice', 'k1', undefined], ['alice', ' ', undefined]],
    },
    {
      name: 'byte secret',
      options: { secret: utf8('shared') },
      signs: { keyId: '', key: 'shared' },
      verifies: [['alice', '', 'shared'], ['alice', 'shared', undefined]],
    },
    {
      name: 'ring options',
      options: { keys: { current: 'k2', keys: { k1: 'one', k2: 'two' } } },
      signs: { keyId: 'k2', key: 'two' },
      verifies: [['alice', 'k1', 'one'], ['bob', 'k2', 'two'], ['alice', '', undefined], ['alice', 'k3', undefined]],
    },
    {
      name: 'a ring',
      options: { keys: createKeyRing({ current: 'k1', keys: { k1: 'one', k2: 'two' } }) },
      signs: { keyId: 'k1', key: 'one' },
      verifies: [['alice', 'k1', 'one'], ['alice', 'k2', 'two'], ['alice', '', undefined], ['alice', 'K1', undefined]],
    },
    {
      name: 'a per-peer key function with keyId',
      options: { key: perPeer, keyId: 'p1' },
      signs: { keyId: 'p1', key: 'alice-key' },
      verifies: [['alice', 'p1', 'alice-key'], ['bob', 'p1', 'bob-key'], ['carol', 'p1', undefined], ['alice', '', undefined]],
    },
  ]

  describe.each(rows)('$name', ({ options, signs, verifies }) => {
    const resolver = createKeyResolver(options)

    it('signs with the expected key id and key', () => {
      const signing = resolver.signingKey('alice')
      expect(signing.keyId).toBe(signs.keyId)
      expect(hex(signing.key)).toBe(hex(utf8(signs.key)))
    })

    it.each(verifies)('verifyingKey(%j, %j) → %j', (peerId, keyId, key) => {
      expect(hex(resolver.verifyingKey(peerId, keyId))).toBe(key === undefined ? undefined : hex(utf8(key)))
    })
  })

  it('a key function signs with key id "" by default', () => {
    const seen: Array<[string, string]> = []
    const resolver = createKeyResolver({
      key: (peerId, keyId) => {
        seen.push([peerId, keyId])
        return 'k'
      },
    })
    expect(resolver.signingKey('alice').keyId).toBe('')
    expect(seen).toEqual([['alice', '']])
  })
})

describe('conversion happens once for configured keys, per call for key functions', () => {
  it.each<[string, KeyOptions]>([
    ['string secret', { secret: 'shared' }],
    ['ring', { keys: { current: 'k', keys: { k: 'v' } } }],
  ])('%s: signingKey and verifyingKey hand out the same array every time', (_name, options) => {
    const resolver = createKeyResolver(options)
    const first = resolver.signingKey('a')
    expect(resolver.signingKey('b')).toBe(first)
    expect(resolver.verifyingKey('a', first.keyId)).toBe(first.key)
    expect(resolver.verifyingKey('b', first.keyId)).toBe(first.key)
  })

  it.each([
    ['Uint8Array', Uint8Array.of(1, 2, 3)],
    ['Buffer', Buffer.from([1, 2, 3])],
  ])('a %s secret is copied at construction: later writes to it change nothing', (_name, secret) => {
    const resolver = createKeyResolver({ secret })
    secret.fill(0)
    expect(hex(resolver.signingKey('a').key)).toBe('010203')
    expect(hex(resolver.verifyingKey('a', ''))).toBe('010203')
  })

  it('a key function is called on every lookup (the resolver does not cache)', () => {
    let calls = 0
    const resolver = createKeyResolver({
      key: () => {
        calls++
        return 'k'
      },
    })
    resolver.signingKey('a')
    resolver.verifyingKey('a', '')
    resolver.verifyingKey('a', '')
    expect(calls).toBe(3)
  })

  it('a key function’s Uint8Array is used as is (no copy per frame)', () => {
    const key = utf8('peer-key')
    const resolver = createKeyResolver({ key: () => key })
    expect(resolver.verifyingKey('a', '')).toBe(key)
    expect(resolver.signingKey('a').key).toBe(key)
  })
})

describe('rotation with key rings (PROTOCOL §5)', () => {
  const ring = (current: string, keys: Record<string, KeyInput>): KeyResolver => createKeyResolver({ keys: { current, keys } })
  const old = { k1: 'old-key' }
  const both = { k1: 'old-key', k2: 'new-key' }
  const next = { k2: 'new-key' }

  const steps: Array<{ step: string; sender: KeyResolver; receiver: KeyResolver; expected: ReturnType<typeof receive>; keyId: string }> = [
    { step: '0. everyone on k1', sender: ring('k1', old), receiver: ring('k1', old), keyId: 'k1', expected: 'ok' },
    { step: '1. receivers add k2; senders still sign with k1', sender: ring('k1', old), receiver: ring('k1', both), keyId: 'k1', expected: 'ok' },
    { step: '2. a sender makes k2 current: the new key signs', sender: ring('k2', both), receiver: ring('k1', both), keyId: 'k2', expected: 'ok' },
    { step: '2. a sender not yet switched: the old key still verifies', sender: ring('k1', old), receiver: ring('k1', both), keyId: 'k1', expected: 'ok' },
    { step: '3. receivers drop k1: new frames verify', sender: ring('k2', next), receiver: ring('k2', next), keyId: 'k2', expected: 'ok' },
    { step: '3. receivers drop k1: a straggler on k1 is an unknown key', sender: ring('k1', old), receiver: ring('k2', next), keyId: 'k1', expected: 'unknown-key' },
    { step: 'a sender on k2 before receivers have it: unknown key', sender: ring('k2', next), receiver: ring('k1', old), keyId: 'k2', expected: 'unknown-key' },
    { step: 'same id, different key bytes: bad signature', sender: ring('k1', { k1: 'imposter' }), receiver: ring('k1', old), keyId: 'k1', expected: 'bad-signature' },
  ]

  it.each(steps)('$step → $expected', ({ sender, receiver, expected, keyId }) => {
    const frame = send(sender, 'alice')
    expect(frame.keyId).toBe(keyId)
    expect(receive(receiver, frame)).toBe(expected)
  })
})

describe('per-peer keys isolate peers', () => {
  const master = 'fleet-master-secret'
  // What a monitor holds: the master, behind a key function.
  const monitor = createKeyResolver({ key: (peerId) => deriveKey(master, peerId) })
  // What each peer holds: only its own derived key, as a shared secret.
  const peer = (peerId: string): KeyResolver => createKeyResolver({ secret: deriveKey(master, peerId) })
  // A peer that signs frames about someone else with its own key.
  const imposter = (signerId: string, claimedId: string): ReturnType<typeof send> => {
    const data = frameBytes(claimedId, 0)
    return { peerId: claimedId, keyId: '', data, mac: hmacSha256(peer(signerId).signingKey(signerId).key, data) }
  }

  it.each([
    ['alice signs for alice', send(peer('alice'), 'alice'), 'ok'],
    ['bob signs for bob', send(peer('bob'), 'bob'), 'ok'],
    ['alice’s key signs a frame claimed for bob', imposter('alice', 'bob'), 'bad-signature'],
    ['bob’s key signs a frame claimed for alice', imposter('bob', 'alice'), 'bad-signature'],
    ['a key for "alic" cannot pass as "alice"', imposter('alic', 'alice'), 'bad-signature'],
  ] as const)('%s → %s', (_name, frame, expected) => {
    expect(receive(monitor, frame)).toBe(expected)
  })

  it('alice’s frame re-labelled as bob’s (same bytes, different claimed peer) fails', () => {
    const frame = send(peer('alice'), 'alice')
    expect(receive(monitor, { ...frame, peerId: 'bob' })).toBe('bad-signature')
  })

  it('a function that knows only some peers: the others are unknown keys, not errors', () => {
    const known = new Map([['alice', deriveKey(master, 'alice')]])
    const receiver = createKeyResolver({ key: (peerId) => known.get(peerId) })
    expect(receive(receiver, send(peer('alice'), 'alice'))).toBe('ok')
    expect(receive(receiver, send(peer('mallory'), 'mallory'))).toBe('unknown-key')
  })
})

describe('what a key function returns', () => {
  const cases: Array<{ name: string; returns: unknown; verifying: 'undefined' | 'HB_ERR_CONFIG'; signing: 'HB_ERR_UNKNOWN_KEY' | 'HB_ERR_CONFIG'; message: RegExp }> = [
    { name: 'undefined', returns: undefined, verifying: 'undefined', signing: 'HB_ERR_UNKNOWN_KEY', message: /the key function has no key for peer "alice" and key id "kx"/ },
    { name: 'null', returns: null, verifying: 'undefined', signing: 'HB_ERR_UNKNOWN_KEY', message: /no key for peer "alice"/ },
    { name: 'an empty string', returns: '', verifying: 'undefined', signing: 'HB_ERR_CONFIG', message: /the key for peer "alice" is empty/ },
    { name: 'empty bytes', returns: new Uint8Array(0), verifying: 'undefined', signing: 'HB_ERR_CONFIG', message: /the key for peer "alice" is empty/ },
    { name: 'a number', returns: 12345, verifying: 'HB_ERR_CONFIG', signing: 'HB_ERR_CONFIG', message: /the key for peer "alice" must be a string or a Uint8Array, got number/ },
    { name: 'a promise (async functions are not supported)', returns: Promise.resolve('k'), verifying: 'HB_ERR_CONFIG', signing: 'HB_ERR_CONFIG', message: /got Promise/ },
  ]

  describe.each(cases)('$name', ({ returns, verifying, signing, message }) => {
    const resolver = createKeyResolver({ key: () => returns as KeyInput, keyId: 'kx' })

    it(`verifyingKey → ${verifying}`, () => {
      if (verifying === 'undefined') expect(resolver.verifyingKey('alice', 'kx')).toBeUndefined()
      else expect(() => resolver.verifyingKey('alice', 'kx')).toThrow(expect.objectContaining({ code: verifying }))
    })

    it(`signingKey throws ${signing}`, () => {
      expect(() => resolver.signingKey('alice')).toThrow(message)
      expect(() => resolver.signingKey('alice')).toThrow(expect.objectContaining({ code: signing, name: 'HeartbeatError' }))
    })
  })

  it('the function’s own exception propagates unchanged', () => {
    const boom = new Error('database down')
    const resolver = createKeyResolver({
      key: () => {
        throw boom
      },
    })
    expect(() => resolver.verifyingKey('a', '')).toThrow(boom)
    expect(() => resolver.signingKey('a')).toThrow(boom)
  })
})

describe('configuration errors', () => {
  const secret = 'correct-horse-battery-staple-secret'
  const fn: PeerKeyFunction = () => secret
  const rows: Array<{ name: string; options: unknown; message: RegExp }> = [
    { name: 'nothing set', options: {}, message: /no key configured: set exactly one of `secret` \(one shared key\), `keys` \(a key ring\) or `key` \(a per-peer key function\)/ },
    { name: 'everything undefined', options: { secret: undefined, keys: undefined, key: undefined }, message: /no key configured/ },
    { name: 'options undefined', options: undefined, message: /key options must be an object .* got undefined/ },
    { name: 'secret and keys', options: { secret, keys: { current: 'k', keys: { k: secret } } }, message: /`secret` and `keys` are both set: set exactly one of/ },
    { name: 'secret and key', options: { secret, key: fn }, message: /`secret` and `key` are both set/ },
    { name: 'keys and key', options: { keys: { current: 'k', keys: { k: secret } }, key: fn }, message: /`keys` and `key` are both set/ },
    { name: 'all three', options: { secret, keys: { current: 'k', keys: { k: secret } }, key: fn }, message: /`secret` and `keys` and `key` are all set/ },
    { name: 'keyId with a secret', options: { secret, keyId: 'k1' }, message: /`keyId` applies only with a `key` function/ },
    { name: 'keyId with a ring', options: { keys: { current: 'k', keys: { k: secret } }, keyId: 'k' }, message: /`keyId` applies only with a `key` function/ },
    { name: 'keyId with a space', options: { key: fn, keyId: 'k 1' }, message: /`keyId` "k 1" is invalid: key ids are 0–64 characters/ },
    { name: 'keyId of 65 characters', options: { key: fn, keyId: 'k'.repeat(65) }, message: /`keyId` "k{65}" is invalid/ },
    { name: 'keyId not a string', options: { key: fn, keyId: 7 }, message: /`keyId` .* is invalid/ },
    { name: 'key not a function', options: { key: secret }, message: /`key` must be a function \(peerId, keyId\) => key, got string/ },
    { name: 'empty secret', options: { secret: '' }, message: /secret is empty/ },
    { name: 'empty byte secret', options: { secret: new Uint8Array(0) }, message: /secret is empty/ },
    { name: 'secret of the wrong type', options: { secret: 42 }, message: /secret must be a string or a Uint8Array, got number/ },
    { name: 'ring options with a bad current', options: { keys: { current: 'k9', keys: { k1: secret } } }, message: /"current" is "k9", which is not among its keys \("k1"\)/ },
    { name: 'ring options with an empty key', options: { keys: { current: 'k1', keys: { k1: '' } } }, message: /key "k1" is empty/ },
    { name: 'keys a hand-made ring lookalike', options: { keys: { currentKeyId: 'k', key: () => utf8(secret), keyIds: () => ['k'] } }, message: /`keys` looks like a key ring but was not made by createKeyRing\(\): pass createKeyRing\(\.\.\.\) or \{ current, keys \}/ },
    { name: 'keys a string', options: { keys: secret }, message: /key ring options must be an object \{ current, keys \}, got string/ },
  ]

  describe.each(rows)('$name', ({ options, message }) => {
    const call = (): unknown => createKeyResolver(options as KeyOptions)

    it('throws HB_ERR_CONFIG with its message, without the secret', () => {
      expect(call).toThrow(message)
      let caught: unknown
      try {
        call()
      } catch (error) {
        caught = error
      }
      expect(HeartbeatError.isInstance(caught)).toBe(true)
      expect((caught as HeartbeatError).code).toBe('HB_ERR_CONFIG')
      expect((caught as Error).message).not.toContain(secret)
      expect((caught as Error).message).not.toContain(Buffer.from(secret).toString('hex'))
    })
  })
})

describe('the resolver never shows its keys', () => {
  const secret = 'resolver-secret-value'
  it.each<[string, KeyOptions]>([
    ['secret', { secret }],
    ['ring', { keys: { current: 'k', keys: { k: secret } } }],
    ['ring instance', { keys: createKeyRing({ current: 'k', keys: { k: secret } }) }],
  ])('%s', (_name, options) => {
    const resolver = createKeyResolver(options)
    for (const text of [String(resolver), JSON.stringify(resolver), inspect(resolver, { depth: Infinity })]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(Buffer.from(secret).toString('hex'))
    }
  })
})
