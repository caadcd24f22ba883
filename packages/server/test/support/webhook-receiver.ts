/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 port 0 that
 * records every request and answers as the test says (a status, or never).
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWaiter } from '@hb/core/testing'

export interface ReceivedWebhook {
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

export interface WebhookReceiver {
  readonly url: string
  readonly received: ReceivedWebhook[]
  /** Decides the answer to the n-th request (0-based): a status, or 'hang' to never answer. */
  answer: (index: number) => number | 'hang'
  until(condition: () => boolean, what: string, ms?: number): Promise<void>
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = []
  const hanging = new Set<ServerResponse>()
  const waiter = createWaiter()
  const receiver = {
    answer: (_index: number): number | 'hang' => 204,
  }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const index = received.length
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      const answer = receiver.answer(index)
      if (answer === 'hang') hanging.add(response)
      else response.writeHead(answer).end()
      waiter.notify()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening', { signal: AbortSignal.timeout(5000) })
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook?token=abc`,
    received,
    until: waiter.until,
    async close() {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}
