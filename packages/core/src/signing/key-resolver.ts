/**
 * The three ways users give keys (PROTOCOL §5) behind one interface, so the
 * monitor and the beater never ask which one they have.
 */
import { HeartbeatError, configError } from '../errors/heartbeat-error.js'
import { describeType, snapshotKeyBytes, toKeyBytes } from './key-material.js'
import type { KeyInput } from './key-material.js'
import { createKeyRing, isKeyRing, isValidKeyId, quoteKeyId } from './key-ring.js'
import type { KeyRing, KeyRingOptions } from './key-ring.js'

/**
 * Looks a key up by who a frame is about and which key it names; `undefined`
 * when there is none (the frame is then rejected as `unknown-key`).
 *
 * A receiver calls it once per frame, before the MAC is checked, with whatever
 * `peerId` and `keyId` the frame claims: make it fast and side-effect free, and
 * do not create state for ids you do not know. `deriveKey(master, peerId)` costs
 * an HKDF per call; cache its results (per peer) where that matters. A returned
 * `Uint8Array` is used as is: do not write to it afterwards.
 */
export type PeerKeyFunction = (peerId: string, keyId: string) => KeyInput | undefined

export interface KeyOptions {
  /** One key shared by everyone; frames carry the empty key id. */
  secret?: KeyInput
  /** Named keys for rotation: a ring, or options to build one (`createKeyRing`). */
  keys?: KeyRing | KeyRingOptions
  /** A key per (peer, key id), for example `(peerId) => deriveKey(master, peerId)`. */
  key?: PeerKeyFunction
  /** The key id to sign with when `key` is a function (0–64 characters `!`–`~`); default `''`. Only with `key`. */
  keyId?: string
}

export interface KeyResolver {
  /**
   * The key and key id a sender signs with for this peer: shared secret → id `''`;
   * ring → its current id; function → `options.keyId`. The key array must not be
   * written to.
   * @throws HeartbeatError `HB_ERR_UNKNOWN_KEY` if the key function returns nothing,
   * `HB_ERR_CONFIG` if it returns an empty key or something that is not a key.
   */
  signingKey(peerId: string): { keyId: string; key: Uint8Array }
  /**
   * The key to verify a frame about `peerId` that names `keyId`, or undefined
   * (→ `unknown-key`). A shared secret answers only for key id `''`. A key
   * function's `undefined`, `null` or empty key is undefined too, so an unknown
   * id never throws.
   * @throws HeartbeatError `HB_ERR_CONFIG` if a key function returns something that
   * is not a string or Uint8Array; the function's own exceptions propagate.
   */
  verifyingKey(peerId: string, keyId: string): Uint8Array | undefined
}

const choices = '`secret` (one shared key), `keys` (a key ring) or `key` (a per-peer key function)'

/**
 * Builds the resolver for one set of key options. String secrets and ring keys
 * are converted to bytes once, here (and byte keys copied); a key function's
 * results are converted on every call.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` unless exactly one of `secret`, `keys`,
 * `key` is set and valid, or if `keyId` is set without `key` or is malformed.
 */
export function createKeyResolver(options: KeyOptions): KeyResolver {
  if (typeof options !== 'object' || options === null) {
    throw configError(`key options must be an object with one of ${choices}, got ${describeType(options)}`)
  }
  const { secret, keys, key, keyId } = options
  const given = (['secret', 'keys', 'key'] as const).filter((name) => options[name] !== undefined)
  if (given.length === 0) throw configError(`no key configured: set exactly one of ${choices}`)
  if (given.length > 1) {
    const names = given.map((name) => `\`${name}\``).join(' and ')
    throw configError(`${names} are ${given.length === 2 ? 'both' : 'all'} set: set exactly one of ${choices}`)
  }
  if (keyId !== undefined && key === undefined) {
    throw configError(
      '`keyId` applies only with a `key` function: a shared secret signs with key id "" and a key ring with its current key',
    )
  }

  if (secret !== undefined) return sharedSecretResolver(snapshotKeyBytes(secret, 'secret'))
  if (keys !== undefined) {
    if (isKeyRing(keys)) return ringResolver(keys)
    if (typeof keys === 'object' && keys !== null && 'currentKeyId' in keys) {
      // A hand-made KeyRing could hand out empty or changing keys; only createKeyRing's are trusted.
      throw configError('`keys` looks like a key ring but was not made by createKeyRing(): pass createKeyRing(...) or { current, keys }')
    }
    return ringResolver(createKeyRing(keys))
  }
  if (typeof key !== 'function') throw configError(`\`key\` must be a function (peerId, keyId) => key, got ${describeType(key)}`)
  const signingKeyId = keyId ?? ''
  if (!isValidKeyId(signingKeyId)) {
    throw configError(`\`keyId\` ${quoteKeyId(signingKeyId)} is invalid: key ids are 0–64 characters from "!" to "~" (ASCII 0x21–0x7e)`)
  }
  return functionResolver(key, signingKeyId)
}

function sharedSecretResolver(secret: Uint8Array): KeyResolver {
  // One frozen answer, handed out for every frame: nothing allocated per call.
  const signing = Object.freeze({ keyId: '', key: secret })
  return {
    signingKey: () => signing,
    verifyingKey: (_peerId, keyId) => (keyId === '' ? secret : undefined),
  }
}

function ringResolver(ring: KeyRing): KeyResolver {
  const currentKey = ring.key(ring.currentKeyId)
  // createKeyRing guarantees this; a ring is immutable, so it holds for good.
  if (currentKey === undefined) throw configError('key ring has no key for its current key id')
  const signing = Object.freeze({ keyId: ring.currentKeyId, key: currentKey })
  return {
    signingKey: () => signing,
    verifyingKey: (_peerId, keyId) => ring.key(keyId),
  }
}

function functionResolver(lookUp: PeerKeyFunction, signingKeyId: string): KeyResolver {
  return {
    signingKey(peerId) {
      const found = lookUp(peerId, signingKeyId)
      if (found === undefined || found === null) {
        throw new HeartbeatError(
          'HB_ERR_UNKNOWN_KEY',
          `the key function has no key for peer ${JSON.stringify(peerId)} and key id ${quoteKeyId(signingKeyId)}`,
        )
      }
      return { keyId: signingKeyId, key: toKeyBytes(found, `the key for peer ${JSON.stringify(peerId)}`) }
    },
    verifyingKey(peerId, keyId) {
      const found = lookUp(peerId, keyId)
      // Nothing, or an empty key, is "no key" here: a receiver must not throw on a
      // frame that names a key nobody has, and must never verify with an empty key.
      if (found === undefined || found === null || (isKeyLike(found) && found.length === 0)) return undefined
      return toKeyBytes(found, `the key for peer ${JSON.stringify(peerId)}`)
    },
  }
}

function isKeyLike(value: unknown): value is KeyInput {
  return typeof value === 'string' || value instanceof Uint8Array
}
