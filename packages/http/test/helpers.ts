import { createServer } from 'node:http'
import type { RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWaiter } from '@hb/core/testing'

export { createWaiter }

/** A plain node:http server on 127.0.0.1:0 whose `close()` also ends keep-alive connections. */
export async function listen(listener: RequestListener): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Runs `fn`s registered during a test after it, whatever happened. */
export function createCleanup() {
  const fns: (() => Promise<unknown> | unknown)[] = []
  return {
    add(fn: () => Promise<unknown> | unknown): void {
      fns.push(fn)
    },
    async run(): Promise<void> {
      await Promise.allSettled(fns.splice(0).reverse().map((fn) => fn()))
    },
  }
}
