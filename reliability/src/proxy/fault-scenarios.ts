/**
 * The faults the suite runs monitors and beaters through, per transport.
 */
import type { Faults } from './faults.js'

export type ProxiedTransport = 'udp' | 'tcp'

export interface FaultScenario {
  readonly name: string
  readonly transport: ProxiedTransport
  readonly faults: Partial<Faults>
  /** Partition for this long in the middle of the run, then heal. */
  readonly partitionMs?: number
  /** TCP: destroy every proxied connection in the middle of the run. */
  readonly reset?: boolean
}

export const faultScenarios: readonly FaultScenario[] = [
  { name: 'none', transport: 'udp', faults: {} },
  { name: 'loss 10%', transport: 'udp', faults: { lossRate: 0.1 } },
  { name: 'loss 30%', transport: 'udp', faults: { lossRate: 0.3 } },
  { name: 'delay 40±30 ms', transport: 'udp', faults: { delayMs: 40, jitterMs: 30 } },
  { name: 'reorder 20% (+150 ms)', transport: 'udp', faults: { reorderRate: 0.2, reorderMs: 150 } },
  { name: 'duplicate 20%', transport: 'udp', faults: { duplicateRate: 0.2 } },
  { name: 'partition 2.5 s, heal', transport: 'udp', faults: {}, partitionMs: 2500 },
  { name: 'none', transport: 'tcp', faults: {} },
  { name: 'loss 10% (200 ms retransmit)', transport: 'tcp', faults: { lossRate: 0.1, retransmitMs: 200 } },
  { name: 'delay 40±30 ms', transport: 'tcp', faults: { delayMs: 40, jitterMs: 30 } },
  { name: 'partition 2.5 s, heal', transport: 'tcp', faults: {}, partitionMs: 2500 },
  { name: 'connection reset', transport: 'tcp', faults: {}, reset: true },
]
