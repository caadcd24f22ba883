/**
 * The event loop's delay as this process sees it, through
 * `perf_hooks.monitorEventLoopDelay` (a native sampler, no timer of ours).
 * A monitor whose loop stalls hears beats late and may convict live peers;
 * the core's local-health guard then postpones deadlines (`hb_guarded_deadlines_total`),
 * and this shows the cause.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'

export interface EventLoopLag {
  /** p99 and max delay since the previous read, in seconds; the window restarts. */
  read(): { p99Seconds: number; maxSeconds: number }
  close(): void
}

/** Starts sampling with `resolutionMs` granularity (default 20). */
export function createEventLoopLag(resolutionMs = 20): EventLoopLag {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs })
  histogram.enable()
  return {
    read() {
      // The histogram is in nanoseconds and includes the sampling resolution itself.
      const correctionNs = resolutionMs * 1e6
      const p99 = histogram.count === 0 ? 0 : Math.max(0, histogram.percentile(99) - correctionNs) / 1e9
      const max = histogram.count === 0 ? 0 : Math.max(0, histogram.max - correctionNs) / 1e9
      histogram.reset()
      return { p99Seconds: p99, maxSeconds: max }
    },
    close() {
      histogram.disable()
    },
  }
}
