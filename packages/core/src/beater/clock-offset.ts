/**
 * How far the monitor's wall clock is from this beater's, learned from signed
 * acks (each carries the monitor's wall clock), so the beater stamps its
 * frames in the monitor's time (PROTOCOL.md §6.2). A frame captured before a
 * monitor restart is then stamped before the restart, and refused.
 *
 * The estimate from one ack assumes the ack was made halfway through the round
 * trip: `offset = ack.timestampMs − (receivedWallMs − rttMs / 2)`, wrong by at
 * most `rttMs / 2`. Estimates are smoothed; a clock-correction ack (the monitor
 * refused a frame for its timestamp) replaces the offset at once.
 */

/** The offset estimate after one more ack. Pure. */
export function nextClockOffset(
  previous: number | undefined,
  ack: { timestampMs: number; clockCorrection?: boolean },
  receivedWallMs: number,
  rttMs: number,
): number {
  const estimate = ack.timestampMs - (receivedWallMs - rttMs / 2)
  if (previous === undefined || ack.clockCorrection === true) return estimate
  // Smooth over jitter in the round trip; a real step of the clocks still settles within a few acks.
  return previous + (estimate - previous) / 4
}
