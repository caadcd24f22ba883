/**
 * What the fault proxy does to traffic, and the deterministic schedule it
 * draws from: the same seed and the same packet order give the same fate to
 * every packet.
 */
import type { Random } from '../study/random.js'

export interface Faults {
  /** Probability a packet is dropped (UDP), or held back by a retransmission timeout (TCP). */
  lossRate: number
  /** Fixed added delay, ms. */
  delayMs: number
  /** Uniform jitter on top: ± jitterMs. */
  jitterMs: number
  /** Probability a packet is held back an extra `reorderMs` (later packets overtake it). UDP only. */
  reorderRate: number
  reorderMs: number
  /** Probability a datagram is delivered twice. UDP only. */
  duplicateRate: number
  /** TCP: what a "lost" segment costs, ms (a retransmission timeout). */
  retransmitMs: number
}

export const noFaults: Faults = {
  lossRate: 0,
  delayMs: 0,
  jitterMs: 0,
  reorderRate: 0,
  reorderMs: 0,
  duplicateRate: 0,
  retransmitMs: 200,
}

export interface FaultStats {
  forwarded: number
  dropped: number
  duplicated: number
  reordered: number
  /** Dropped or held because of a partition. */
  partitioned: number
}

export function checkFaults(faults: Faults): Faults {
  for (const name of ['lossRate', 'reorderRate', 'duplicateRate'] as const) {
    const value = faults[name]
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${value}`)
  }
  for (const name of ['delayMs', 'jitterMs', 'reorderMs', 'retransmitMs'] as const) {
    const value = faults[name]
    if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`)
  }
  return faults
}

/** The delay of one packet under `faults` (never negative), counting a reorder. */
export function packetDelay(faults: Faults, random: Random, stats: FaultStats): number {
  let delay = faults.delayMs + (random.next() * 2 - 1) * faults.jitterMs
  if (faults.reorderRate > 0 && random.next() < faults.reorderRate) {
    delay += faults.reorderMs
    stats.reordered++
  }
  return Math.max(0, delay)
}

export const emptyStats = (): FaultStats => ({ forwarded: 0, dropped: 0, duplicated: 0, reordered: 0, partitioned: 0 })
