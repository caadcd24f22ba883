/**
 * Accepted frames per transport. The monitor's `stats()` counts accepted
 * frames in total only; wrapping each transport's handler (a public seam:
 * `ServerTransport.start(handler)`) counts them by transport for one extra
 * function call per frame. Rejections need no wrapper: `rejected` events
 * carry their transport.
 */
import type { ServerTransport } from '@hb/core'
import type { ServerTransportHandler } from '@hb/core/adapter'

/** Transports with counters, to pass to `createMonitor` and `registerMonitorMetrics`. */
export interface MeteredTransports {
  /** The same transports, counting accepted frames; give these to `createMonitor`. */
  readonly transports: ServerTransport[]
  /** Accepted frames so far, by transport name. */
  acceptedByTransport(): Map<string, number>
}

/**
 * Wraps `transports` so accepted frames are counted by transport name.
 *
 * ```ts
 * const metered = meterTransports([createUdpServer({ port: 7946 })])
 * const monitor = createMonitor({ secret, transports: metered.transports })
 * registerMonitorMetrics(monitor, registry, { frames: metered })
 * ```
 */
export function meterTransports(transports: readonly ServerTransport[]): MeteredTransports {
  const counts = new Map<string, { accepted: number }>()
  const wrapped = transports.map((transport): ServerTransport => {
    const count = counts.get(transport.name) ?? { accepted: 0 }
    counts.set(transport.name, count)
    return {
      name: transport.name,
      kind: transport.kind,
      start(handler, options) {
        const counting: ServerTransportHandler = {
          onFrame(frame) {
            const verdict = handler.onFrame(frame)
            if (verdict.accepted) count.accepted++
            return verdict
          },
          onLinkUp: (link) => handler.onLinkUp(link),
          onLinkDown: (link) => handler.onLinkDown(link),
          onRejected: (rejection) => handler.onRejected(rejection),
        }
        return transport.start(counting, options)
      },
      address: () => transport.address(),
      close: () => transport.close(),
    }
  })
  return {
    transports: wrapped,
    acceptedByTransport: () => new Map([...counts].map(([name, count]) => [name, count.accepted])),
  }
}
