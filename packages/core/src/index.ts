/**
 * `@hb/core`: signed heartbeats and peer liveness, without any transport.
 * Adapters (`@hb/udp`, `@hb/tcp`, `@hb/ws`, `@hb/http`) plug into the seam in
 * `transport.ts`; everything that decides liveness lives here.
 */
// Roles
export { createMonitor } from './monitor.js'
export type { Monitor, MonitorEvent, MonitorListeners, MonitorOptions, MonitorStats, Peer, RejectedInfo } from './monitor.js'
export { createBeater } from './beater.js'
export type { AckInfo, Beater, BeaterListeners, BeaterOptions, BeaterStats, StopFunction, StopOptions } from './beater.js'

// Time
export { systemClock } from './clock.js'
export type { Clock, TimerHandle } from './clock.js'
export { createTimingWheel } from './timing-wheel.js'
export type { TimingWheel, TimingWheelOptions } from './timing-wheel.js'

// Liveness
export { initialSnapshot, transition } from './liveness.js'
export type { LivenessConfig, LivenessEffect, LivenessEvent, LivenessSnapshot, LivenessTransition, OfflineReason, PeerState } from './liveness.js'
export { isDetector } from './detector.js'
export type { Detector } from './detector.js'
export { fixedTimeout } from './fixed-timeout.js'
export type { FixedTimeoutOptions } from './fixed-timeout.js'
export { phiAccrual } from './phi-accrual.js'
export type { PhiAccrualOptions } from './phi-accrual.js'

// Frames
export type { DecodeResult, Frame, FrameFields, FrameType } from './frame.js'
export { DEFAULT_MAX_FRAME_BYTES, MAC_BYTES, PROTOCOL_VERSION } from './frame.js'
export { decodeBinaryFrame, encodeBinaryFrame, encodeCanonical } from './binary-codec.js'
export { decodeJsonFrame, encodeJsonFrame } from './json-codec.js'
export { decodeFrame } from './decode-frame.js'
export { signFrame } from './frame-signer.js'
export { verifyFrame } from './frame-verifier.js'
export type { VerifyResult } from './frame-verifier.js'

// Keys and replay protection
export type { KeyInput } from './signing/key-material.js'
export { createKeyRing, isKeyRing } from './signing/key-ring.js'
export type { KeyRing, KeyRingOptions } from './signing/key-ring.js'
export { createKeyResolver } from './signing/key-resolver.js'
export type { KeyOptions, KeyResolver, PeerKeyFunction } from './signing/key-resolver.js'
export { deriveKey } from './signing/derive-key.js'
export { deriveKeyWeb } from './signing/derive-key-web.js'
export { hmacSha256, verifyHmacSha256 } from './signing/hmac.js'
export { hmacSha256Web, verifyHmacSha256Web } from './signing/hmac-web.js'
export { checkFreshness, createReplayWindow } from './replay-window.js'
export type { FreshnessVerdict, ReplayWindow } from './replay-window.js'

// Legacy protocols
export { codeskyblueContentType, codeskyblueMessages, createCodeskyblueProtocol } from './legacy/codeskyblue.js'
export type { CodeskyblueBeat, CodeskyblueProtocol, CodeskyblueProtocolOptions, CodeskyblueRequest, CodeskyblueResponse } from './legacy/codeskyblue.js'

// Reconnection
export { backoffDelay } from './backoff.js'
export type { BackoffOptions } from './backoff.js'

// Errors and reasons
export { formatAddress } from './format-address.js'
export { HeartbeatError } from './errors.js'
export type { HeartbeatErrorCode } from './errors.js'
export { rejectReasons } from './reject-reason.js'
export type { RejectReason } from './reject-reason.js'

// The transport seam
export type {
  ClientTransport,
  ClientTransportHandler,
  FrameEncoding,
  FrameVerdict,
  InboundFrame,
  Link,
  ServerTransport,
  ServerTransportHandler,
  TransportAddress,
  TransportKind,
  TransportRejection,
  TransportStartOptions,
} from './transport.js'
export type { TypedEmitter } from './typed-emitter.js'
export type { EventStreamOptions } from './event-stream.js'
