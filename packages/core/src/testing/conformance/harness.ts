/**
 * What every conformance case works with: a server started with a recording
 * handler, clients that record what they receive, waits on events with a
 * deadline (never a sleep), and a check that an error is the documented
 * `HeartbeatError`.
 */
import { HeartbeatError } from '../../errors/heartbeat-error.js'
import type { HeartbeatErrorCode } from '../../errors/heartbeat-error.js'
import type {
  ClientTransport,
  ClientTransportHandler,
  FrameVerdict,
  InboundFrame,
  Link,
  ServerTransport,
  ServerTransportHandler,
  TransportAddress,
  TransportRejection,
} from '../../adapter/transport.js'
import { createWaiter } from '../waiter.js'
import type { Waiter } from '../waiter.js'
import type { ConformanceExpectation, ResolvedConformance } from './options.js'

/** One handler call, in the order the server made them: how the ordering cases read the server. */
export type ServerEvent =
  | { readonly type: 'up'; readonly link: Link }
  | { readonly type: 'down'; readonly link: Link }
  | { readonly type: 'frame'; readonly bytes: Uint8Array; readonly remoteAddress: string; readonly link: Link | undefined }
  | { readonly type: 'rejected'; readonly rejection: TransportRejection }

/** A server handler that records every call; by default it echoes each frame back with `reply`. */
export interface Recorder extends ServerTransportHandler {
  readonly events: ServerEvent[]
  readonly frames: Extract<ServerEvent, { type: 'frame' }>[]
  readonly up: Link[]
  readonly down: Link[]
  readonly rejections: TransportRejection[]
  /** What `onFrame` does; replace it to reply late, not at all, or refuse. */
  respond: (frame: InboundFrame) => FrameVerdict
}

export const echo = (frame: InboundFrame): FrameVerdict => {
  frame.reply(frame.bytes.slice())
  return { accepted: true }
}

function createRecorder(waiter: Waiter): Recorder {
  const recorder: Recorder = {
    events: [],
    frames: [],
    up: [],
    down: [],
    rejections: [],
    respond: echo,
    onFrame(frame) {
      const event = { type: 'frame', bytes: frame.bytes.slice(), remoteAddress: frame.remoteAddress, link: frame.link } as const
      recorder.events.push(event)
      recorder.frames.push(event)
      const verdict = recorder.respond(frame)
      waiter.notify()
      return verdict
    },
    onLinkUp(link) {
      recorder.events.push({ type: 'up', link })
      recorder.up.push(link)
      waiter.notify()
    },
    onLinkDown(link) {
      recorder.events.push({ type: 'down', link })
      recorder.down.push(link)
      waiter.notify()
    },
    onRejected(rejection) {
      recorder.events.push({ type: 'rejected', rejection })
      recorder.rejections.push(rejection)
      waiter.notify()
    },
  }
  return recorder
}

/** A client and what its handler was told. */
export interface ClientHandle {
  readonly client: ClientTransport
  readonly handler: ClientTransportHandler
  readonly received: Uint8Array[]
  /** One entry per `onLinkDown`, with its error argument. */
  readonly downs: (Error | undefined)[]
  connect(): Promise<void>
}

/** A started server and its recorder. */
export interface ServerHandle {
  readonly server: ServerTransport
  readonly recorder: Recorder
  readonly address: TransportAddress
}

/** What one case gets: its own waiter and cleanup, torn down after it. */
export interface CaseContext {
  readonly conf: ResolvedConformance
  readonly expect: (value: unknown) => ConformanceExpectation
  /** Resolves once `condition()` holds; fails the case after `waitMs`. */
  until(condition: () => boolean, what: string): Promise<void>
  /** Resolves as `promise` does; fails the case after `waitMs` naming `what` (for promises of the transport under test). */
  within<T>(promise: Promise<T>, what: string): Promise<T>
  /** Re-checks pending `until` conditions (for handlers the case writes itself). */
  notify(): void
  /** Creates a server transport (closed after the case) and a recorder for it, without starting it. */
  createServer(port?: number): { server: ServerTransport; recorder: Recorder }
  /** Creates and starts a server; the recorder echoes every frame unless told otherwise. */
  startServer(port?: number): Promise<ServerHandle>
  /** Creates a client of `address` (closed after the case); connects it unless `connect` is false. */
  openClient(address: TransportAddress, options?: { connect?: boolean }): Promise<ClientHandle>
  /** Checks that `error` is a `HeartbeatError` with `code`, naming what was found otherwise. */
  expectCode(error: unknown, code: HeartbeatErrorCode): void
  /** Registers a teardown step (run after the case, last registered first). */
  defer(step: () => Promise<unknown> | void): void
}

export type CaseBody = (context: CaseContext) => Promise<void>

/** Creates the context of one case; `teardown` closes everything it created. */
export function createCaseContext(
  conf: ResolvedConformance,
  expect: (value: unknown) => ConformanceExpectation,
): { context: CaseContext; teardown: () => Promise<void> } {
  const waiter = createWaiter()
  const steps: (() => Promise<unknown> | void)[] = []
  const defer = (step: () => Promise<unknown> | void): void => void steps.push(step)
  const startOptions = { maxFrameBytes: conf.maxFrameBytes }

  const context: CaseContext = {
    conf,
    expect,
    until: (condition, what) => waiter.until(condition, what, conf.waitMs),
    notify: () => waiter.notify(),
    within(promise, what) {
      const signal = AbortSignal.timeout(conf.waitMs)
      return Promise.race([
        promise,
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error(`${conf.name}: timed out after ${conf.waitMs} ms waiting for ${what}`)), { once: true }),
        ),
      ])
    },
    defer,
    createServer(port) {
      const server = conf.createServer(port)
      defer(() => server.close())
      return { server, recorder: createRecorder(waiter) }
    },
    async startServer(port) {
      const { server, recorder } = context.createServer(port)
      await server.start(recorder, startOptions)
      const address = server.address()
      if (address === null) throw new Error(`${conf.name}: address() is null after start() resolved`)
      return { server, recorder, address }
    },
    async openClient(address, options) {
      const client = conf.createClient(address)
      defer(() => client.close())
      const received: Uint8Array[] = []
      const downs: (Error | undefined)[] = []
      const handler: ClientTransportHandler = {
        onFrame(bytes) {
          received.push(bytes.slice())
          waiter.notify()
        },
        onLinkDown(error) {
          downs.push(error)
          waiter.notify()
        },
      }
      const handle: ClientHandle = { client, handler, received, downs, connect: () => client.connect(handler, startOptions) }
      if (options?.connect !== false) await handle.connect()
      return handle
    },
    expectCode(error, code) {
      expect(describeError(error)).toBe(code)
    },
  }
  const teardown = async (): Promise<void> => {
    for (const step of steps.splice(0).reverse()) {
      try {
        await step()
      } catch {
        // A failing close is reported by the case that checks close; teardown goes on.
      }
    }
  }
  return { context, teardown }
}

/** The error's code when it is a `HeartbeatError`, else a description the failure message shows. */
export function describeError(error: unknown): string {
  if (HeartbeatError.isInstance(error)) return error.code
  if (error === RESOLVED) return 'resolved (expected a rejection)'
  return `not a HeartbeatError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
}

const RESOLVED = Symbol('resolved')

/** What a promise rejected with; a marker that `describeError` names when it resolved instead. */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => RESOLVED,
    (error: unknown) => error,
  )
}

/** Watches a promise settle without awaiting it: `settled` reads `pending` until it does. */
export function track(promise: Promise<unknown>): { readonly settled: 'pending' | 'resolved' | 'rejected'; readonly error: unknown } {
  const state: { settled: 'pending' | 'resolved' | 'rejected'; error: unknown } = { settled: 'pending', error: undefined }
  promise.then(
    () => (state.settled = 'resolved'),
    (error: unknown) => {
      state.settled = 'rejected'
      state.error = error
    },
  )
  return state
}

/** Deterministic bytes of `length`, different for each `seed`. */
export function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7 + 1) & 0xff
  return out
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A port that was just free: bound by a server of the transport itself, then released. */
export async function freePort(context: CaseContext): Promise<number> {
  const { server, address } = await context.startServer()
  await server.close()
  return address.port
}
