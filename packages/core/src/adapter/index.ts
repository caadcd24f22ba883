/**
 * `@hb/core/adapter`: everything needed to write a transport adapter, and
 * nothing an application needs. The seam itself (`transport.ts`, read it
 * first), the lifecycle scaffolding every adapter would otherwise rewrite, and
 * the option checks, so an adapter is only the glue between its socket API and
 * the seam. Test a new adapter with `transportConformance` from
 * `@hb/core/testing`.
 */

// The seam
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
export { rejectReasons } from '../errors/reject-reason.js'
export type { RejectReason } from '../errors/reject-reason.js'

// Lifecycles
export { createServerLifecycle } from './server-lifecycle.js'
export type { ServerLifecycle, ServerLifecycleOptions, ServerState } from './server-lifecycle.js'
export { createClientConnection } from './client-connection.js'
export type { ClientConnection, ClientConnectionOptions, ClientState, ConnectionEvents } from './client-connection.js'

// Options, errors, addresses
export { checkDuration, checkHost, checkOptionNames, checkPort, checkPositiveInteger } from './options.js'
export { configError } from '../errors/heartbeat-error.js'
export { formatAddress } from './format-address.js'
// Buffers for outgoing frames (a framing prefix around an ack, …)
export { allocFrame, ownCopyWhenQueued } from '../wire/frame-slab.js'
export { backoffDelay, resolveBackoff } from '../beater/backoff.js'
export type { BackoffOptions } from '../beater/backoff.js'
