/**
 * The last address of every peer, for `peer.remoteAddress`, kept without a
 * string per peer: an adapter's `host:port` string is typically a rope of
 * three or four heap objects (about 100 bytes), more than everything else a
 * monitor keeps per peer. An IPv4 `a.b.c.d:port` packs exactly into one
 * float64 (32 + 16 bits); anything else (IPv6, a proxy's label) is kept as a
 * string in a side map, paying only for the peers that need it.
 */

const NONE = -1
const OTHER = -2

/** `a.b.c.d:port` with canonical decimal parts → `ip * 65536 + port`; anything else → -1. */
export function packIPv4Address(address: string): number {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  const length = address.length
  for (let i = 0; i < length; i++) {
    const c = address.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return NONE // a leading zero is not canonical
      part = part * 10 + (c - 0x30)
      if (++digits > 5) return NONE
    } else if (c === 0x2e /* . */ && dots < 3) {
      if (digits === 0 || part > 255) return NONE
      value = value * 256 + part
      part = digits = 0
      dots++
    } else if (c === 0x3a /* : */ && dots === 3) {
      if (digits === 0 || part > 255) return NONE
      value = value * 256 + part
      part = digits = 0
      dots++
    } else return NONE
  }
  if (dots !== 4 || digits === 0 || part > 65_535) return NONE
  return value * 65_536 + part
}

export function unpackIPv4Address(packed: number): string {
  const port = packed % 65_536
  const ip = (packed - port) / 65_536
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`
}

export interface RemoteAddresses {
  set(slot: number, address: string): void
  get(slot: number): string | undefined
  clear(slot: number): void
}

export function createRemoteAddresses(initialCapacity: number): RemoteAddresses {
  let packed = new Float64Array(initialCapacity).fill(NONE)
  const others = new Map<number, string>()
  return {
    set(slot, address) {
      if (slot >= packed.length) {
        const grown = new Float64Array(Math.max(slot + 1, packed.length * 2)).fill(NONE)
        grown.set(packed)
        packed = grown
      }
      const value = packIPv4Address(address)
      if (value >= 0) {
        if (packed[slot] === OTHER) others.delete(slot)
        packed[slot] = value
      } else {
        packed[slot] = OTHER
        others.set(slot, address)
      }
    },
    get(slot) {
      const value = packed[slot]
      if (value === undefined || value === NONE) return undefined
      return value === OTHER ? others.get(slot) : unpackIPv4Address(value)
    },
    clear(slot) {
      if (slot >= packed.length) return
      if (packed[slot] === OTHER) others.delete(slot)
      packed[slot] = NONE
    },
  }
}
