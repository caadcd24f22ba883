/**
 * The transport seam: the whole contract between `@hb/core` and an adapter
 * (`@hb/udp`, `@hb/tcp`, `@hb/ws`, `@hb/http`, or your own).
 *
 * An adapter moves bytes and reports links. It never parses, signs or
 * verifies frames, never arms a timer for liveness, never decides who is
 * online: the core does all of that, once, for every transport. If an
 * adapter finds itself needing a timer or a parser, that code belongs in
 * core (the one exception is TCP's length prefix, because TCP has no
 * message boundaries).
 *
 * Vocabulary:
 * - a *frame* is one complete hb message (binary or JSON, see PROTOCOL.md),
 *   with any transport framing (TCP length prefix, HTTP body) removed;
 * - a *link* is one live connection of a connection transport (TCP, WS);
 *   datagram (UDP) and request (HTTP) transports have no links.
 *
 * Errors: [E1] every promise here rejects only with a `HeartbeatError`
 * (`HB_ERR_TRANSPORT_CLOSED` after `close()`, `HB_ERR_TRANSPORT` for an
 * underlying socket error, with the socket error as `cause`).
 *
 * [W1] Together, the two sides carry a monitor and a beater: a peer goes
 * online, offline by timeout (on the monitor's clock), and online again.
 *
 * The tags in brackets ([S7], [C10], …) name the promises of this contract:
 * `transportConformance` from `@hb/core/testing` checks each one in a case
 * whose name starts with its tag, against every adapter and mode. A case
 * that does not apply to a transport (no links on UDP, no port of its own
 * for a mounted handler) is skipped by the transport's capability flags,
 * with the reason in its name.
 */
import type { RejectReason } from '../errors/reject-reason.js'

/**
 * How a transport moves frames, which tells the core what it may expect:
 * - `datagram`: one frame per packet, no connection, replies go to the sender's address (UDP);
 * - `connection`: a long-lived link per client, link-down is reported (TCP, WS);
 * - `request`: one frame per request, the reply is the response (HTTP).
 */
export type TransportKind = 'datagram' | 'connection' | 'request'

/** Which frame encoding a transport carries (PROTOCOL.md §2 and §3). */
export type FrameEncoding = 'binary' | 'json'

/** Where a server transport listens, once started. */
export interface TransportAddress {
  /** Numeric host, e.g. `127.0.0.1` or `::1`. */
  readonly host: string
  /** The bound port (the real one when `port: 0` was asked for). */
  readonly port: number
  /** `IPv4` or `IPv6`. */
  readonly family: string
  /** A URL a client can use, where the transport has one (`ws://…`, `http://…`). */
  readonly url?: string
}

/** Options the core hands to a transport when it starts or connects it. */
export interface TransportStartOptions {
  /**
   * The largest frame the core accepts. A transport that can tell a frame is
   * larger before reading it (TCP's announced length, WS `maxPayload`, HTTP
   * `Content-Length`) must refuse it without buffering it and report it with
   * `onRejected({ reason: 'too-large' })`; otherwise the core rejects it.
   * [M1] A frame of exactly `maxFrameBytes` is delivered. [M2] One byte more
   * is never delivered cut: refused as `too-large`, or handed whole to the core.
   */
  readonly maxFrameBytes: number
  /**
   * Servers: how long a new connection has to send its first valid frame (the
   * monitor's `helloTimeoutMs`; the monitor closes links that miss it). A
   * server that holds a socket before it becomes a link (an HTTP request, a
   * WebSocket before its upgrade) should bound that phase by it too, so no
   * socket outlives the core's deadline. Absent for clients.
   */
  readonly helloTimeoutMs?: number
}

/**
 * One live connection of a connection transport. Created by the adapter,
 * handed to the core with `onLinkUp`, and the same object is passed with every
 * frame that arrives on it, so the core can key state by identity.
 */
export interface Link {
  /** [L1] Unique per transport for its lifetime; stable while the link is up. */
  readonly id: number
  /** The peer's address, for display and `peer.remoteAddress` (`host:port`). */
  readonly remoteAddress: string
  /**
   * [L2] Sends one frame on this link, and on no other (the adapter adds its
   * own framing). Called by the core for acks. Never throws, also once the
   * link is down; a failed write is reported as link-down by the adapter, not here.
   */
  send(bytes: Uint8Array): void
  /**
   * [L3] Closes the link (the core calls it for a peer it declared dead, or a
   * link that did not authenticate in time). The adapter then reports
   * `onLinkDown(link)` once, as for any other close, and the client sees
   * link-down. Idempotent.
   */
  close(): void
  /**
   * [L4] Optional: a transport-level probe (a WebSocket ping). The core calls it
   * when the link's peer turns suspect. Its answer is not liveness evidence
   * (a proxy can answer a ping for a dead client; only signed beats count),
   * but the write makes a half-open connection fail sooner, which the adapter
   * then reports as link-down. Never throws.
   */
  ping?(): void
}

/** One frame received by a server transport, as handed to the core. */
export interface InboundFrame {
  /**
   * [F1] The frame's bytes, whole and byte for byte. Valid only for the
   * duration of `onFrame`: the core copies whatever it keeps, so an adapter
   * may reuse its buffer.
   */
  readonly bytes: Uint8Array
  /** [F2] The sender's address (`host:port`), for display and `peer.remoteAddress`. */
  readonly remoteAddress: string
  /** [F2] The link the frame came on (connection transports only; the object given to `onLinkUp`). */
  readonly link?: Link
  /**
   * [F3] Sends a frame back to the sender: to its address (datagram), on its
   * link (connection), or as the response body (request). The core calls it
   * at most once per inbound frame, synchronously inside `onFrame`, and only
   * for a frame it accepted (the signed ack). Never throws. [F4] An adapter
   * may treat a call after `onFrame` returned as a no-op (the udp server
   * does: one reply function serves every datagram, so none is allocated per
   * datagram); it declares which with the `replyAfterReturn` capability.
   * [F5] A call after the server's `close()` is ignored.
   */
  reply(bytes: Uint8Array): void
}

/** What the core decided about an inbound frame. Request transports map it to a status. */
export type FrameVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: RejectReason }

/** What a transport-level rejection carries (frames refused before the core saw them). */
export interface TransportRejection {
  readonly reason: RejectReason
  readonly remoteAddress: string
  /** A human-readable detail. Never contains frame contents or secrets. */
  readonly detail?: string
  /**
   * The peer the refused frame was about, when the adapter knows it (an
   * adapter speaking its own authenticated protocol, after its MAC verified).
   */
  readonly peerId?: string
}

/** Implemented by the core (the monitor); called by a server transport. */
export interface ServerTransportHandler {
  /**
   * Called for every complete inbound frame, synchronously, [H1] in arrival
   * order on a link. Never throws (bad input is a verdict, not an
   * exception). A request transport answers with the verdict (a refusal
   * fails the client's request: [C7]); others may ignore it.
   */
  onFrame(frame: InboundFrame): FrameVerdict
  /**
   * Connection transports: [H2] a new link was accepted, reported once,
   * before any of its frames. The core starts the authentication deadline: a
   * link that sends no valid frame in time is closed.
   */
  onLinkUp(link: Link): void
  /**
   * Connection transports: the link is gone (closed by either side, errored,
   * or closed by `link.close()`). [H3] Called exactly once per link, never
   * before `onLinkUp`, and no `onFrame` for that link follows.
   */
  onLinkDown(link: Link): void
  /** [H4] A frame the transport refused on its own (oversize, broken framing). Counted and reported by the core. */
  onRejected(rejection: TransportRejection): void
}

/** The server side of a transport, served by a monitor. [N1] It serves many clients at once, each answered on its own. */
export interface ServerTransport {
  /** [S1] Short lower-case name shown as `peer.transport` (`udp`, `tcp`, `ws`, `http`, `memory`). */
  readonly name: string
  /** [S1] What the transport is; the server and its clients declare the same kind. */
  readonly kind: TransportKind
  /**
   * Binds and starts delivering frames to `handler`. Called once, by
   * `monitor.start()`. [S2] Resolves once listening (so `address()` is
   * known); [S4] rejects with `HB_ERR_TRANSPORT` if it cannot bind (a busy
   * port). [S5] A second call rejects with `HB_ERR_TRANSPORT` and leaves the
   * first start serving. [S6] A call after `close()` (even without an
   * earlier start) rejects with `HB_ERR_TRANSPORT_CLOSED`. [S7] If `close()`
   * is called while it is pending, it rejects with `HB_ERR_TRANSPORT_CLOSED`
   * and whatever it bound is released by that `close()`.
   */
  start(handler: ServerTransportHandler, options: TransportStartOptions): Promise<void>
  /** [S3] Where it listens, once started; `null` before `start()` and after `close()`. */
  address(): TransportAddress | null
  /**
   * Stops listening and closes every link, [S10] reporting each `onLinkDown`
   * (once) before it resolves, and [S9] releasing every socket, port and
   * timer (the same port can be bound again once it resolved). [S11] After
   * it, the handler is called no more. [S8] Idempotent: later calls return
   * the same promise. Called by `monitor.close()`.
   */
  close(): Promise<void>
}

/** Implemented by the core (the beater); called by a client transport. */
export interface ClientTransportHandler {
  /** A frame from the server (an ack), [C12] in arrival order. Never throws. */
  onFrame(bytes: Uint8Array): void
  /**
   * Connection transports: the link to the server is gone. The beater decides
   * whether and when to `connect()` again (backoff lives in core). [C8]
   * Called once per lost link, and not after `close()`.
   */
  onLinkDown(error?: Error): void
}

/** The client side of a transport, driven by a beater. */
export interface ClientTransport {
  readonly name: string
  /** [C1] The same kind as the server side. */
  readonly kind: TransportKind
  /** [C1] The encoding the server side of this transport expects. */
  readonly encoding: FrameEncoding
  /**
   * Opens the transport: connects (connection), binds a socket (datagram) or
   * does nothing (request). The beater calls it on start and again after each
   * `onLinkDown`, never while a previous `connect()` is pending. [C2]
   * Rejects with `HB_ERR_TRANSPORT` if it cannot connect (with the socket
   * error as `cause`), [C3] with `HB_ERR_TRANSPORT_CLOSED` after `close()`.
   */
  connect(handler: ClientTransportHandler, options: TransportStartOptions): Promise<void>
  /**
   * Sends one frame. Resolves when handed to the OS (datagram, connection)
   * or [C6] when the response was received and delivered to `onFrame`
   * (request). Rejects with `HB_ERR_TRANSPORT_CLOSED` [C5] after `close()`
   * or [C4] while not connected (before `connect()`, after link-down),
   * [C7] `HB_ERR_TRANSPORT` on a failed write or request.
   */
  send(bytes: Uint8Array): Promise<void>
  /**
   * Connection transports: drops the current link as if it had failed (the
   * beater calls it when the server stopped acking: a half-open socket looks
   * alive to the OS). [C9] The transport reports `onLinkDown` once, before
   * `disconnect()` returns, and the beater reconnects with `connect()`. Not
   * final, unlike `close()`. [C10] Called while a `connect()` is still
   * pending (the beater's connect deadline passed), it aborts that attempt:
   * the pending `connect()` rejects with `HB_ERR_TRANSPORT`, and no
   * `onLinkDown` is reported for it.
   */
  disconnect?(): void
  /**
   * Closes every socket and pending request, for good. Idempotent. [C11] A
   * `connect()` still pending rejects with `HB_ERR_TRANSPORT_CLOSED`.
   */
  close(): Promise<void>
}
