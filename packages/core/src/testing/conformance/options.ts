/**
 * What an adapter's conformance test passes to `transportConformance`: the
 * test runner's functions (injected, so `@hb/core/testing` never imports a
 * runner), factories for its server and client, and capability flags that
 * say what kind of transport it is. A case that does not apply to a
 * transport is skipped with the reason in its name, as crossws does with
 * `skipIf`.
 */
import type { ClientTransport, ServerTransport, TransportAddress, TransportKind } from '../../adapter/transport.js'

/** The matchers the suite uses; vitest's and jest's `expect` have them. */
export interface ConformanceExpectation {
  toBe(expected: unknown): void
  toEqual(expected: unknown): void
  toBeNull(): void
  toBeGreaterThan(n: number): void
  toMatchObject(expected: object): void
}

/** A test-registering function; `skip` (vitest's `it.skip`) lists a skipped case in the report. */
export interface ConformanceIt {
  (name: string, body: () => Promise<void> | void, timeoutMs?: number): void
  skip?: (name: string, body: () => Promise<void> | void) => void
}

/** The test runner's functions, passed in: `{ describe, it, expect, afterEach }` from vitest. */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): void
  it: ConformanceIt
  expect: (value: unknown) => ConformanceExpectation
  afterEach(body: () => Promise<void> | void): void
}

/** What a transport is, so the suite runs the cases that apply to it. */
export interface TransportCapabilities {
  /** The seam's kind (transport.ts): links and link-down for `connection` only; one response per request for `request`. */
  readonly kind: TransportKind
  /**
   * True (the default) when the server transport binds its own port: the
   * suite then checks that the port is free again after `close()`, also after
   * a close during `start()`, and that a busy port fails `start()`. False for
   * what is mounted in a server someone else owns and closes (WS attached to
   * an `http.Server`, the HTTP node and fetch handlers).
   */
  readonly listens?: boolean
  /**
   * True (the default) when the server refuses a frame over `maxFrameBytes`
   * itself and reports `onRejected({ reason: 'too-large' })` (TCP's length
   * prefix, WS `maxPayload`, HTTP `Content-Length`, a datagram's size). False
   * when it hands the whole frame to the core, which rejects it.
   */
  readonly rejectsOversizeItself?: boolean
  /**
   * What `reply()` does when called after `onFrame` returned (transport.ts
   * allows either): `delivered` (sent to the client anyway: a link's send)
   * or `ignored` (UDP's shared reply function, an HTTP response already
   * written). Default: `ignored` for request transports, else `delivered`.
   */
  readonly replyAfterReturn?: 'delivered' | 'ignored'
  /**
   * The client uses only the standard web APIs (`WebSocket`, `fetch`), as in
   * a browser: a socket error there carries no detail, so the suite does not
   * ask for the `cause` of a failed connect.
   */
  readonly browser?: boolean
}

/** Options of `transportConformance`. */
export interface ConformanceOptions {
  /** Shown in every case's name, e.g. `tcp` or `ws attached`. */
  name: string
  /** What the transport is (see {@link TransportCapabilities}). */
  capabilities: TransportCapabilities
  /**
   * A new server transport, not started, on 127.0.0.1: on `port` when given
   * (the suite rebinds a closed server's port), else on port 0. Transports
   * that do not listen ignore `port`.
   */
  createServer(port?: number): ServerTransport
  /** A new client transport, not connected, for the server listening at `address`. */
  createClient(address: TransportAddress): ClientTransport
  /** The `maxFrameBytes` handed to `start()` and `connect()`. Default 1024. */
  maxFrameBytes?: number
  /** The deadline for any one awaited event, in ms. Default 5000. */
  waitMs?: number
  /** How many clients the many-clients case connects at once. Default 50. */
  manyClients?: number
}

/** The options with every default filled in. */
export interface ResolvedConformance {
  readonly name: string
  readonly kind: TransportKind
  readonly listens: boolean
  readonly rejectsOversizeItself: boolean
  readonly replyAfterReturn: 'delivered' | 'ignored'
  readonly browser: boolean
  readonly maxFrameBytes: number
  readonly waitMs: number
  readonly manyClients: number
  createServer(port?: number): ServerTransport
  createClient(address: TransportAddress): ClientTransport
}

export function resolveConformance(options: ConformanceOptions): ResolvedConformance {
  const { capabilities: c } = options
  return {
    name: options.name,
    kind: c.kind,
    listens: c.listens ?? true,
    rejectsOversizeItself: c.rejectsOversizeItself ?? true,
    replyAfterReturn: c.replyAfterReturn ?? (c.kind === 'request' ? 'ignored' : 'delivered'),
    browser: c.browser ?? false,
    maxFrameBytes: options.maxFrameBytes ?? 1024,
    waitMs: options.waitMs ?? 5000,
    manyClients: options.manyClients ?? 50,
    createServer: (port) => options.createServer(port),
    createClient: (address) => options.createClient(address),
  }
}
