/**
 * Peer id → slot, as an open-addressing hash table in typed arrays over the
 * registry's own `ids` column. A `Map<string, number>` costs about 30 bytes an
 * entry; this costs 8 or less (an Int32 cell at load ≤ 1/2; hashes are not
 * stored but recomputed from the ids, which are short), which at a million
 * peers is the difference between meeting the memory budget and not.
 *
 * Linear probing with backward-shift deletion (no tombstones). The hash is
 * FNV-1a over UTF-16 code units, from a per-table random basis. Only
 * authenticated peers are ever inserted, so an attacker cannot flood the table
 * with colliding ids without the keys to sign for them.
 */
const EMPTY = -1

export interface PeerIndex {
  readonly size: number
  get(id: string): number
  /** Inserts an id that is not in the table. */
  insert(id: string, slot: number): void
  /** Removes an id that is in the table. */
  remove(id: string): void
}

export function createPeerIndex(ids: readonly (string | undefined)[], initialCells = 2048): PeerIndex {
  const basis = (Math.random() * 0x1_0000_0000) >>> 0
  let cells = new Int32Array(initialCells).fill(EMPTY)
  let mask = initialCells - 1
  let size = 0

  const hashOf = (id: string): number => {
    let h = basis
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x0100_0193)
    return h
  }

  function find(id: string, hash: number): number {
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = cells[i] as number
      if (slot === EMPTY) return -1 - i // not found: where it would go
      if (ids[slot] === id) return i
    }
  }

  function place(slot: number, hash: number): void {
    let i = hash & mask
    while (cells[i] !== EMPTY) i = (i + 1) & mask
    cells[i] = slot
  }

  const homeOf = (slot: number): number => hashOf(ids[slot] as string) & mask

  function grow(): void {
    const oldCells = cells
    cells = new Int32Array(oldCells.length * 2).fill(EMPTY)
    mask = cells.length - 1
    for (let i = 0; i < oldCells.length; i++) {
      const slot = oldCells[i] as number
      if (slot !== EMPTY) place(slot, hashOf(ids[slot] as string))
    }
  }

  return {
    get size() {
      return size
    },
    get(id) {
      const at = find(id, hashOf(id))
      return at < 0 ? -1 : (cells[at] as number)
    },
    insert(id, slot) {
      if ((size + 1) * 2 > cells.length) grow()
      place(slot, hashOf(id))
      size++
    },
    remove(id) {
      let at = find(id, hashOf(id))
      if (at < 0) return
      size--
      // Backward-shift deletion: pull later members of the probe run into the hole.
      for (let next = (at + 1) & mask; cells[next] !== EMPTY; next = (next + 1) & mask) {
        const home = homeOf(cells[next] as number)
        // Move `next` into `at` unless its home lies cyclically in (at, next].
        const inRange = at <= next ? home > at && home <= next : home > at || home <= next
        if (inRange) continue
        cells[at] = cells[next] as number
        at = next
      }
      cells[at] = EMPTY
    },
  }
}
