/**
 * A resolved server config as `createMonitor` options: the key material and
 * every monitor setting, with nothing left at a default the user did not ask for.
 */
import { fixedTimeout, perPeerKeys, phiAccrual } from '@hb/core'
import type { Clock, MonitorOptions, ServerTransport } from '@hb/core'
import type { ResolvedServerConfig } from '../config/server-config.js'

/** Monitor options for `config`, serving `transports` on `clock`. */
export function monitorOptionsFor(config: ResolvedServerConfig, transports: ServerTransport[], clock: Clock): MonitorOptions {
  const keys: MonitorOptions =
    config.masterKey !== undefined ? { key: perPeerKeys(config.masterKey, { max: config.keyCacheSize }) } : { secret: config.secret! }
  const detector =
    config.detector === 'phi'
      ? phiAccrual({
          ...(config.phiThreshold === undefined ? {} : { threshold: config.phiThreshold }),
          ...(config.phiSuspectThreshold === undefined ? {} : { suspectThreshold: config.phiSuspectThreshold }),
          ...(config.phiMaxTimeoutMs === undefined ? {} : { maxTimeoutMs: config.phiMaxTimeoutMs }),
        })
      : fixedTimeout({ timeoutMs: config.timeoutMs, ...(config.suspectAfterMs === undefined ? {} : { suspectAfterMs: config.suspectAfterMs }) })
  const optional = {
    tickMs: config.tickMs,
    maxPeers: config.maxPeers,
    maxFrameBytes: config.maxFrameBytes,
    skewMs: config.skewMs,
    riseBeats: config.riseBeats,
    linkDown: config.linkDown,
    helloTimeoutMs: config.helloTimeoutMs,
    forgetAfterMs: config.forgetAfterMs,
    loopLagToleranceMs: config.loopLagToleranceMs,
  }
  const given = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined))
  // The detector carries the timeout (one source of truth: the monitor refuses both).
  return { ...keys, ...given, detector, acks: config.acks, clock, transports }
}
