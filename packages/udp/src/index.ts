/**
 * `@hb/udp`: the UDP transport of hb. One signed frame per datagram; the
 * server acks to each datagram's source address; every timer and every
 * decision stays in `@hb/core`.
 */
export { createUdpServer } from './udp-server.js'
export type { UdpServerOptions, UdpServerTransport } from './udp-server.js'
export { createUdpClient } from './udp-client.js'
export type { UdpClientOptions, UdpClientTransport } from './udp-client.js'
export type { UdpSocketOptions, UdpSocketType } from './udp-options.js'
