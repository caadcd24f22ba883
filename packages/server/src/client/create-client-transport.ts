/**
 * One URL picks the client transport: `udp://host:port`, `tcp://host:port`,
 * `ws://…`/`wss://…` (the URL is the WebSocket's), `http://…`/`https://…`
 * (beats are POSTed to the URL).
 */
import type { ClientTransport } from '@hb/core'
import { createHttpClient } from '@hb/http'
import { createTcpClient } from '@hb/tcp'
import { createUdpClient } from '@hb/udp'
import { createWsClient } from '@hb/ws'
import { configError } from '../config/config-error.js'

/** The URL schemes {@link createClientTransport} understands. */
export const clientUrlSchemes = ['udp:', 'tcp:', 'ws:', 'wss:', 'http:', 'https:'] as const

function hostAndPort(url: URL, text: string): { host: string; port: number } {
  const port = Number(url.port)
  if (url.hostname === '' || url.port === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw configError(`${text}: ${url.protocol}// URLs need a host and a port from 1 to 65535, like ${url.protocol}//127.0.0.1:7946`)
  }
  if (url.pathname !== '' && url.pathname !== '/') throw configError(`${text}: ${url.protocol}// URLs have no path`)
  // URL keeps IPv6 hosts in brackets; sockets want them bare.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port }
}

/**
 * The client transport for `url`, to give `createBeater({ transport })`.
 *
 * ```ts
 * const beater = createBeater({ id: 'worker-1', secret, transport: createClientTransport('udp://hb.internal:7946') })
 * ```
 * @throws HeartbeatError `HB_ERR_CONFIG` for a malformed URL or another scheme.
 */
export function createClientTransport(url: string | URL): ClientTransport {
  const text = String(url)
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw configError(`${JSON.stringify(text.slice(0, 100))} is not a URL (expected e.g. udp://host:7946 or https://host/hb)`)
  }
  switch (parsed.protocol) {
    case 'udp:':
      return createUdpClient(hostAndPort(parsed, text))
    case 'tcp:':
      return createTcpClient(hostAndPort(parsed, text))
    case 'ws:':
    case 'wss:':
      return createWsClient({ url: parsed.href })
    case 'http:':
    case 'https:':
      return createHttpClient({ url: parsed })
    default:
      throw configError(`${text}: unsupported scheme ${parsed.protocol} (use ${clientUrlSchemes.join(', ')})`)
  }
}
