/**
 * Named keys for rotation (PROTOCOL §5): a sender signs with the ring's current
 * key, a receiver verifies with whichever key a frame names.
 *
 * To rotate: give every receiver a ring with the new key added; then make it
 * current on the senders; once no frame signed with the old key can still be
 * fresh (skewMs), drop the old key. A ring is immutable: each step is a new ring.
 */
import { configError } from '../errors/heartbeat-error.js'
import { describeType, snapshotKeyBytes } from './key-material.js'
import type { KeyInput } from './key-material.js'

export interface KeyRingOptions {
  /** The id senders sign with. Must be one of `keys`. */
  current: string
  /** Keys by id. Ids are 1–64 characters from `!` to `~` (ASCII 0x21–0x7e). Strings are used as UTF-8. */
  keys: Record<string, KeyInput>
}

export interface KeyRing {
  /** The id of the key senders sign with. */
  readonly currentKeyId: string
  /**
   * The key named `keyId`, or undefined. The array is the ring's own (no copy per
   * frame): never write to it.
   */
  key(keyId: string): Uint8Array | undefined
  /** Every key id, in the order given. A new array on each call. */
  keyIds(): string[]
}

// Symbol.for, as for HeartbeatError: rings from a second copy of @hb/core still count.
const marker = Symbol.for('@hb/core/KeyRing')
// Node's util.inspect looks this symbol up; using it needs no node:util import.
const inspectCustom = Symbol.for('nodejs.util.inspect.custom')

const keyIdPattern = /^[\x21-\x7e]{0,64}$/

/**
 * A key id quoted for an error message, every character outside printable ASCII
 * escaped, so that an invisible or look-alike character shows why an id is invalid.
 * @internal
 */
export function quoteKeyId(keyId: string): string {
  return JSON.stringify(keyId).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * True if `keyId` may appear in a frame: 0–64 characters from `!` to `~`
 * (ASCII 0x21–0x7e). The empty id names the single shared secret; ring ids are
 * never empty.
 */
export function isValidKeyId(keyId: unknown): keyId is string {
  return typeof keyId === 'string' && keyIdPattern.test(keyId)
}

/**
 * A validated, immutable key ring. Keys are converted to bytes once, here, and
 * `Uint8Array` keys are copied, so later writes to the caller's arrays change
 * nothing.
 *
 * The ring never shows its keys: `String(ring)`, `JSON.stringify(ring)` and
 * `util.inspect(ring)` print the current id and the ids only.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` if an id is malformed, a key is empty or
 * not a string/Uint8Array, there are no keys, or `current` is not one of them.
 */
export function createKeyRing(options: KeyRingOptions): KeyRing {
  if (typeof options !== 'object' || options === null) {
    throw configError(`key ring options must be an object { current, keys }, got ${describeType(options)}`)
  }
  const { current, keys } = options
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw configError(`key ring "keys" must be an object mapping key ids to keys, got ${describeType(keys)}`)
  }
  const byId = new Map<string, Uint8Array>()
  for (const [keyId, input] of Object.entries(keys)) {
    if (keyId === '' || !isValidKeyId(keyId)) {
      throw configError(
        `key id ${quoteKeyId(keyId)} is invalid: key ring ids are 1–64 characters from "!" to "~" (ASCII 0x21–0x7e)`,
      )
    }
    byId.set(keyId, snapshotKeyBytes(input, `key ${quoteKeyId(keyId)}`))
  }
  if (byId.size === 0) throw configError('key ring "keys" is empty: a key ring needs at least one key')
  if (typeof current !== 'string') {
    throw configError(`key ring "current" must be a key id string, got ${describeType(current)}`)
  }
  if (!byId.has(current)) {
    throw configError(
      `key ring "current" is ${quoteKeyId(current)}, which is not among its keys (${[...byId.keys()].map(quoteKeyId).join(', ')})`,
    )
  }

  const ids = [...byId.keys()]
  const describe = (): string => `KeyRing { current: ${JSON.stringify(current)}, keyIds: ${JSON.stringify(ids)} }`
  const ring = {
    currentKeyId: current,
    key: (keyId: string): Uint8Array | undefined => byId.get(keyId),
    keyIds: (): string[] => ids.slice(),
    toJSON: () => ({ currentKeyId: current, keyIds: ids.slice() }),
    toString: describe,
    [inspectCustom]: describe,
    [marker]: true,
  }
  return Object.freeze(ring)
}

/** True for a ring made by `createKeyRing` (from this copy of @hb/core or another). */
export function isKeyRing(value: unknown): value is KeyRing {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
}
