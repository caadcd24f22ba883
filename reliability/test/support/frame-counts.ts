/**
 * Frames a monitor decided on one transport, from its per-transport counts
 * (`stats().transports`): accepted plus rejected for every reason.
 */
import type { Monitor } from '@hb/core'

export function framesSeen(monitor: Monitor, transport: string): number {
  const counts = monitor.stats().transports[transport]
  if (counts === undefined) return 0
  let total = counts.accepted
  for (const n of Object.values(counts.rejected)) total += n
  return total
}
