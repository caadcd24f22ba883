/**
 * What the monitor counts: frames accepted and rejected (by reason), in all
 * and per transport name, so metrics (`@hb/server`'s `registerMonitorMetrics`)
 * need no wrapper around the transports. Counting is two increments per frame.
 */
import type { RejectReason } from '../errors/reject-reason.js'
import { rejectReasons } from '../errors/reject-reason.js'

/** Frames of one transport name. */
export interface FrameCounts {
  readonly accepted: number
  readonly rejected: Readonly<Record<RejectReason, number>>
}

interface MutableCounts {
  accepted: number
  rejected: Record<RejectReason, number>
}

const zeroes = (): Record<RejectReason, number> => Object.fromEntries(rejectReasons.map((r) => [r, 0])) as Record<RejectReason, number>

export interface FrameCounters {
  /** Adds a transport (by its index in the monitor); transports of the same name share counts. */
  register(name: string): void
  accept(transportIndex: number): void
  reject(transportIndex: number, reason: RejectReason): void
  /** Totals and per-name counts, copied. */
  snapshot(): { accepted: number; rejected: Record<RejectReason, number>; transports: Record<string, FrameCounts> }
}

export function createFrameCounters(): FrameCounters {
  const total: MutableCounts = { accepted: 0, rejected: zeroes() }
  const byName = new Map<string, MutableCounts>()
  const byIndex: MutableCounts[] = []
  return {
    register(name) {
      let counts = byName.get(name)
      if (counts === undefined) byName.set(name, (counts = { accepted: 0, rejected: zeroes() }))
      byIndex.push(counts)
    },
    accept(transportIndex) {
      total.accepted++
      const counts = byIndex[transportIndex]
      if (counts !== undefined) counts.accepted++
    },
    reject(transportIndex, reason) {
      total.rejected[reason]++
      const counts = byIndex[transportIndex]
      if (counts !== undefined) counts.rejected[reason]++
    },
    snapshot() {
      const transports: Record<string, FrameCounts> = {}
      for (const [name, counts] of byName) transports[name] = { accepted: counts.accepted, rejected: { ...counts.rejected } }
      return { accepted: total.accepted, rejected: { ...total.rejected }, transports }
    },
  }
}
