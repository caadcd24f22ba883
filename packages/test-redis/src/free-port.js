/**
 * Ports nobody listens on right now, on 127.0.0.1. Another process may take
 * one in between; `startRedisServer` retries on another port when that happens.
 */
import { once } from 'node:events'
import { createServer } from 'node:net'

/**
 * Listens on `port` (0: the OS picks one) and releases it; resolves with the
 * port, or undefined if it was taken.
 * @param {number} port
 * @returns {Promise<number | undefined>}
 */
async function probe(port) {
  const server = createServer()
  server.listen(port, '127.0.0.1')
  const [event] = await Promise.race([once(server, 'listening').then(() => ['listening']), once(server, 'error').then(() => ['error'])])
  if (event === 'error') return undefined
  const address = server.address()
  await new Promise((resolve) => server.close(() => resolve(undefined)))
  return typeof address === 'object' && address !== null ? address.port : undefined
}

/** A port the OS picked as free. @returns {Promise<number>} */
export async function freePort() {
  const port = await probe(0)
  if (port === undefined) throw new Error('no free port on 127.0.0.1')
  return port
}

/**
 * A free port whose `port + offset` is free too (a cluster node's bus listens
 * on its port + 10 000 unless told otherwise, and only Redis 7 can be told).
 * @param {number} offset
 * @returns {Promise<number>}
 */
export async function freePortWithSibling(offset) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort()
    if (port + offset <= 65_535 && (await probe(port + offset)) !== undefined) return port
  }
  throw new Error(`no free port p on 127.0.0.1 with p + ${offset} free too`)
}
