/**
 * `@hb/core`: signed heartbeats and peer liveness, without any transport.
 *
 * The root is the contract an application uses: the two roles, the
 * detectors, time, keys and the error class. Adapter authors import
 * `@hb/core/adapter`; tools that read or write frames `@hb/core/protocol`;
 * tests `@hb/core/testing`.
 */

// Roles
export { createMonitor } from './monitor/monitor.js'
export type { FrameCounts } from './monitor/frame-counters.js'
export type {
  AttachedHandler,
  AuthenticatedBeat,
  MisconfiguredInfo,
  Monitor,
  MonitorEvent,
  MonitorListeners,
  MonitorOptions,
  MonitorStats,
  Peer,
  RejectedInfo,
  ReplayStore,
  SequenceMark,
  StoredMark,
} from './monitor/monitor.js'
export { createBeater } from './beater/beater.js'
export type { AckInfo, Beater, BeaterListeners, BeaterOptions, BeaterStats, ServerLostInfo, StopFunction, StopOptions } from './beater/beater.js'
export type { BeatPhase } from './beater/beat-phase.js'

// Liveness
export { initialSnapshot, transition } from './liveness/transition.js'
export type { LivenessConfig, LivenessEffect, LivenessEvent, LivenessSnapshot, LivenessTransition, OfflineReason, PeerState } from './liveness/transition.js'
export type { Detector } from './liveness/detector.js'
export { fixedTimeout } from './liveness/fixed-timeout.js'
export type { FixedTimeoutOptions } from './liveness/fixed-timeout.js'
export { phiAccrual } from './liveness/phi-accrual.js'
export type { PhiAccrualOptions } from './liveness/phi-accrual.js'

// Time
export { systemClock } from './time/clock.js'
export type { Clock, TimerHandle } from './time/clock.js'
export { createTimingWheel } from './time/timing-wheel.js'
export type { TimingWheel, TimingWheelOptions } from './time/timing-wheel.js'

// Keys
export { deriveKey } from './signing/derive-key.js'
export { perPeerKeys } from './signing/per-peer-keys.js'
export type { PerPeerKeysOptions } from './signing/per-peer-keys.js'
export { createKeyRing } from './signing/key-ring.js'
export type { KeyRing, KeyRingOptions } from './signing/key-ring.js'
export type { KeyInput } from './signing/key-material.js'
export type { KeyOptions, PeerKeyFunction } from './signing/key-resolver.js'

// Errors and reasons
export { HeartbeatError } from './errors/heartbeat-error.js'
export type { HeartbeatErrorCode } from './errors/heartbeat-error.js'
export type { RejectReason } from './errors/reject-reason.js'

// What options and events refer to
export type { ClientTransport, ServerTransport } from './adapter/transport.js'
export type { ListenerMap, TypedEmitter } from './events/typed-emitter.js'
export type { EventStreamOptions } from './events/event-stream.js'
