/**
 * `@hb/tcp`: the TCP transport of hb. Each frame travels with a 4-byte
 * big-endian length prefix; the server turns every connection into a core
 * `Link` (so the core can close dead and unauthenticated sockets), the client
 * is driven by a beater (which reconnects it with backoff).
 */
export { createTcpServer } from './tcp-server.js'
export type { TcpServerOptions } from './tcp-server.js'
export { createTcpClient } from './tcp-client.js'
export type { TcpClientOptions } from './tcp-client.js'
export { createFrameDecoder, encodeFrame, LENGTH_PREFIX_BYTES } from './framing.js'
export type { FrameDecoder, FrameDecoderOptions, FramingError } from './framing.js'
