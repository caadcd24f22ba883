/**
 * The server transports a config asks for. One place per transport, so an
 * addition (another adapter) is one line here and one row in `config-options.ts`.
 */
import type { ServerTransport } from '@hb/core'
import { createHttpServer } from '@hb/http'
import { createTcpServer } from '@hb/tcp'
import { createUdpServer } from '@hb/udp'
import { createWsServer } from '@hb/ws'
import type { ResolvedServerConfig } from '../config/server-config.js'

/** Creates (does not start) the transports `config` enables, in the order udp, tcp, ws, http. */
export function createConfiguredTransports(config: ResolvedServerConfig): ServerTransport[] {
  const { host } = config
  const transports: ServerTransport[] = []
  if (config.udp !== undefined) transports.push(createUdpServer({ host, port: config.udp }))
  if (config.tcp !== undefined) transports.push(createTcpServer({ host, port: config.tcp }))
  if (config.ws !== undefined) transports.push(createWsServer({ host, port: config.ws, ...(config.wsPath === undefined ? {} : { path: config.wsPath }) }))
  if (config.http !== undefined) transports.push(createHttpServer({ host, port: config.http, ...(config.httpPath === undefined ? {} : { path: config.httpPath }) }))
  return transports
}
