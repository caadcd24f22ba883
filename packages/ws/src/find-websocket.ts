/**
 * Which `WebSocket` the client uses: the one passed in, else the runtime's
 * global one (browsers, Node 22+, Deno, Bun), else, in a Node without one
 * (Node 20 and 21), the `ws` package that `@hb/ws` depends on.
 *
 * `ws` is reached the way `@hb/core` reaches node:crypto: through
 * `process.getBuiltinModule` at run time, never by an `import` a bundler would
 * follow. A browser bundle of the client therefore contains no `ws` and no
 * Node module, and in a browser (no `process`) that branch is never taken.
 */
import type { WebSocketConstructor, WebSocketLike } from './websocket-like.js'

/** Opens a socket to `url`, refusing inbound messages over `maxFrameBytes` where the implementation can. */
export type WebSocketFactory = (url: string, maxFrameBytes: number) => WebSocketLike

/** The constructor `ws` exports: a standard WebSocket that also takes options. */
type NodeWsConstructor = new (url: string, protocols: undefined, options: { maxPayload: number }) => WebSocketLike

type GetBuiltinModule = (id: string) => unknown
interface NodeModuleApi {
  createRequire(from: string): (id: string) => unknown
}

/** Where `ws` is resolved from: this file (its ESM URL, or its CJS path in the `.cjs` build). */
function thisModule(): string | undefined {
  if (typeof __filename === 'string') return __filename
  return typeof import.meta.url === 'string' ? import.meta.url : undefined
}

/**
 * `ws`'s WebSocket in Node; `undefined` where there is no Node or no `ws`.
 * Looked up on each connect (Node's module cache makes that cheap), so
 * nothing is remembered across runtimes a test simulates.
 */
function loadNodeWs(): NodeWsConstructor | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process
  const from = thisModule()
  if (typeof process?.getBuiltinModule !== 'function' || from === undefined) return undefined
  try {
    const api = process.getBuiltinModule('node:module') as NodeModuleApi | undefined
    const loaded = api?.createRequire(from)('ws') as { WebSocket?: NodeWsConstructor } | undefined
    return typeof loaded?.WebSocket === 'function' ? loaded.WebSocket : undefined
  } catch {
    // No `ws` next to this file (the client bundled or copied elsewhere): no fallback.
    return undefined
  }
}

function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
}

/**
 * The factory for the injected constructor, else the global one (looked up
 * on every call: a polyfill may come late), else `ws` in Node; `undefined`
 * when there is none.
 */
export function findWebSocket(injected: WebSocketConstructor | undefined): WebSocketFactory | undefined {
  const Constructor = injected ?? globalWebSocket()
  if (Constructor !== undefined) return (url) => new Constructor(url)
  const NodeWs = loadNodeWs()
  // ws's maxPayload refuses an oversize message from its header, before buffering it.
  if (NodeWs !== undefined) return (url, maxFrameBytes) => new NodeWs(url, undefined, { maxPayload: maxFrameBytes })
  return undefined
}
