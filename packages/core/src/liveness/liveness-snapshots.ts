/**
 * Bridges the peer registry's columns (a state code and a rise count) and the
 * pure state machine's snapshot objects, without allocating on the common path.
 */
import type { LivenessSnapshot } from './transition.js'
import { STATE_NAMES } from '../monitor/peer-registry.js'

const steady: readonly LivenessSnapshot[] = STATE_NAMES.map((state) => Object.freeze({ state, rise: 0 }))

export function snapshotOf(stateCode: number, rise: number): LivenessSnapshot {
  if (rise === 0) return steady[stateCode] as LivenessSnapshot
  return { state: STATE_NAMES[stateCode] as LivenessSnapshot['state'], rise }
}
