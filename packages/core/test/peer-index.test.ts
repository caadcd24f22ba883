import { describe, expect, it } from 'vitest'
import { createPeerIndex } from '../src/monitor/peer-index.js'

// Model-based: the table must agree with a Map under any mix of inserts and
// removes, across growth and wrap-around of probe runs.
describe('peer index', () => {
  it('agrees with a Map over 50 000 random operations', () => {
    let seed = 12345
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 0x1_0000_0000)
    const ids: (string | undefined)[] = []
    const index = createPeerIndex(ids, 8)
    const model = new Map<string, number>()
    const free: number[] = []
    for (let op = 0; op < 50_000; op++) {
      const id = `peer-${Math.floor(random() * 3000)}`
      if (model.has(id)) {
        if (random() < 0.5) {
          const slot = model.get(id) as number
          index.remove(id)
          ids[slot] = undefined
          model.delete(id)
          free.push(slot)
        }
      } else {
        const slot = free.pop() ?? ids.length
        ids[slot] = id
        index.insert(id, slot)
        model.set(id, slot)
      }
      if (op % 997 === 0) {
        for (let k = 0; k < 3000; k++) expect(index.get(`peer-${k}`)).toBe(model.get(`peer-${k}`) ?? -1)
      }
      expect(index.size).toBe(model.size)
    }
    for (const [id, slot] of model) expect(index.get(id)).toBe(slot)
    expect(index.get('never-seen')).toBe(-1)
  })

  it('handles ids with any UTF-16 content', () => {
    const ids: (string | undefined)[] = ['gerät-ü-🙂', '', 'x'.repeat(255), '\u0000']
    const index = createPeerIndex(ids, 4)
    ids.forEach((id, slot) => index.insert(id as string, slot))
    ids.forEach((id, slot) => expect(index.get(id as string)).toBe(slot))
    index.remove('')
    expect(index.get('')).toBe(-1)
    expect(index.get('\u0000')).toBe(3)
  })
})
