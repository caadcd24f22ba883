/**
 * An independent reader of a namespace's event stream (raw XREAD on its own
 * connection, none of the package's code), counting what the cluster
 * decided for every peer, across Redis restarts.
 */
import { createClient } from 'redis'

export interface StreamConsumer {
  /** Per peer, its events in stream order (`online`, `offline:timeout`, `offline:left`, …) with their Redis time. */
  readonly byPeer: Map<string, { label: string; atMs: number }[]>
  readonly total: { online: number; offline: number }
  /** Resolves once `condition()` holds (checked after each read); rejects after `ms`. */
  until(condition: () => boolean, what: string, ms: number): Promise<void>
  close(): Promise<void>
}

export async function startStreamConsumer(url: string, namespace: string): Promise<StreamConsumer> {
  const client = createClient({ url, RESP: 2, socket: { reconnectStrategy: () => 50 } })
  client.on('error', () => {})
  await client.connect()
  const key = `{${namespace}}:events`
  const byPeer = new Map<string, { label: string; atMs: number }[]>()
  const total = { online: 0, offline: 0 }
  const waiters = new Set<() => void>()
  let last = '0-0'
  let running = true
  const loop = (async () => {
    while (running) {
      let reply: unknown
      try {
        reply = await client.sendCommand(['XREAD', 'COUNT', '1000', 'BLOCK', '200', 'STREAMS', key, last])
      } catch {
        if (!running) break
        await new Promise((resolve) => setTimeout(resolve, 50)) // reconnecting (Redis restarted)
        continue
      }
      const entries = (Array.isArray(reply) ? (reply[0] as [string, [string, string[]][]])?.[1] : undefined) ?? []
      for (const [id, fields] of entries) {
        last = id
        const map: Record<string, string> = {}
        for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i] as string] = fields[i + 1] as string
        const peer = map.peer as string
        const label = map.type === 'offline' ? `offline:${map.reason}` : 'online'
        if (map.type === 'online') total.online++
        else total.offline++
        byPeer.set(peer, [...(byPeer.get(peer) ?? []), { label, atMs: Number(id.split('-')[0]) }])
      }
      for (const check of [...waiters]) check()
    }
  })()
  return {
    byPeer,
    total,
    until(condition, what, ms) {
      if (condition()) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const signal = AbortSignal.timeout(ms)
        const check = (): void => {
          if (!condition()) return
          waiters.delete(check)
          resolve()
        }
        signal.addEventListener('abort', () => {
          waiters.delete(check)
          reject(new Error(`timed out after ${ms} ms waiting for ${what} (online ${total.online}, offline ${total.offline})`))
        }, { once: true })
        waiters.add(check)
      })
    },
    async close() {
      running = false
      await loop
      await client.close().catch(() => client.destroy())
    },
  }
}
