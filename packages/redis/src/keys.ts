/**
 * Where a namespace's data lives in Redis. Every key carries the namespace as
 * a hash tag (`{ns}`), so a Redis Cluster keeps all of them in one slot and
 * the scripts, which touch several keys at once, may run there.
 */

export interface PresenceKeys {
  /** Hash: `epoch` (changes when Redis lost its data), `buckets`, `active` (last script run, Redis ms), `owners` (counter). */
  readonly meta: string
  /** Hash: owner index → lease expiry (Redis ms). */
  readonly owners: string
  /** Hash: owner index → the monitor's name. */
  readonly names: string
  /** String: peers online in the cluster. */
  readonly count: string
  /** Stream: the cluster's `online` and `offline` events. */
  readonly events: string
  /** The hash holding the peers of bucket `index`. */
  bucket(index: number): string
}

export function presenceKeys(namespace: string): PresenceKeys {
  const tag = `{${namespace}}`
  return {
    meta: `${tag}:meta`,
    owners: `${tag}:owners`,
    names: `${tag}:names`,
    count: `${tag}:count`,
    events: `${tag}:events`,
    bucket: (index) => `${tag}:p:${index}`,
  }
}

/** The fixed keys every write script receives first, in this order (KEYS[1..5]). */
export function fixedKeys(keys: PresenceKeys): string[] {
  return [keys.meta, keys.owners, keys.names, keys.count, keys.events]
}

const encoder = new TextEncoder()

/**
 * The bucket of a peer id: FNV-1a (32 bit) over the id's UTF-8 bytes, modulo
 * `buckets`. Written down in PROTOCOL.md §10 so that another client can find a peer.
 */
export function bucketOf(id: string, buckets: number): number {
  let hash = 0x811c9dc5
  let ascii = true
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i)
    if (code >= 0x80) {
      ascii = false
      break
    }
    hash = Math.imul(hash ^ code, 0x01000193)
  }
  if (!ascii) {
    hash = 0x811c9dc5
    for (const byte of encoder.encode(id)) hash = Math.imul(hash ^ byte, 0x01000193)
  }
  return (hash >>> 0) % buckets
}

/** The field of peer `id` held by owner `owner`: the owner first, so the id may contain anything. */
export const fieldOf = (owner: string, id: string): string => `${owner}|${id}`
