/**
 * The one rule both sides apply to a beat interval against a timeout
 * (PROTOCOL.md §6.4): an interval at or past half the timeout means a single
 * lost beat can take a live peer offline. The beater checks its given
 * `intervalMs` against the timeout the monitor announces; the monitor checks
 * the interval a `hello` announces against its own.
 */

/** What a `misconfigured` event carries (monitor and beater alike). */
export interface MisconfiguredInfo {
  /** `interval-too-long`: the interval is at or past half the timeout. */
  readonly code: 'interval-too-long'
  /** The beater's interval. */
  readonly intervalMs: number
  /** The monitor's timeout. */
  readonly timeoutMs: number
  readonly detail: string
}

/** The misconfiguration of beating every `intervalMs` against `timeoutMs`, or `undefined` when the pair is fine. */
export function checkInterval(intervalMs: number, timeoutMs: number): MisconfiguredInfo | undefined {
  if (!(2 * intervalMs >= timeoutMs)) return undefined
  return {
    code: 'interval-too-long',
    intervalMs,
    timeoutMs,
    detail: `a beat every ${intervalMs} ms against a timeout of ${timeoutMs} ms: one lost beat can take the peer offline`,
  }
}
