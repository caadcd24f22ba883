/**
 * Webhook delivery. `enqueue` is called from the monitor's event listeners,
 * so it only appends to a bounded queue and returns: a slow or dead receiver
 * costs the monitor nothing. Each URL has its own queue and one request in
 * flight (so a receiver sees events in order); a failed attempt is retried
 * after a doubling backoff; a full queue drops its oldest delivery, counted.
 */
import type { Clock, KeyInput, TimerHandle } from '@hb/core'
import type { WebhookEventName } from '../config/parse-value.js'
import type { PresenceEvent } from '../presence/presence.js'
import { signWebhook, webhookSignatureHeader } from './webhook-signature.js'

/** Where deliveries are reported (a pino logger fits). Messages never contain the secret or the full URL. */
export interface WebhookLogger {
  warn(fields: object, message: string): void
  debug(fields: object, message: string): void
}

export interface WebhookDispatcherOptions {
  readonly urls: readonly string[]
  readonly secret: KeyInput
  readonly events: readonly WebhookEventName[]
  readonly clock: Clock
  readonly timeoutMs: number
  readonly maxAttempts: number
  readonly maxQueue: number
  readonly backoffMs: number
  readonly logger?: WebhookLogger
  readonly fetch?: typeof fetch
}

/** Counts per outcome, over every URL. */
export interface WebhookStats {
  /** Deliveries a receiver answered with a 2xx. */
  readonly delivered: number
  /** Deliveries abandoned after `maxAttempts` failed attempts. */
  readonly failed: number
  /** Failed attempts (each retried or, the last one, counted in `failed`). */
  readonly failedAttempts: number
  /** Deliveries dropped: queue full, or still queued when the dispatcher closed. */
  readonly dropped: number
  /** Deliveries waiting or in flight now. */
  readonly queued: number
}

export interface WebhookDispatcher {
  /** Queues `event` for every URL (if its type is subscribed). Synchronous and O(1). */
  enqueue(event: PresenceEvent, id: string): void
  stats(): WebhookStats
  /** Resolves when every queue is empty, or when `deadlineMs` passed (whichever is first). */
  drain(deadlineMs: number): Promise<void>
  /** Aborts requests in flight and retries waiting; what is left is counted as dropped. */
  close(): void
}

/** The longest wait between two attempts. */
const maxBackoffMs = 60_000

interface Delivery {
  readonly body: string
  readonly id: string
  attempts: number
}

/** A URL for logs: origin and path, without credentials or query (either may hold a token). */
function safeUrl(url: string): string {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { clock, secret, logger } = options
  const fetchImpl = options.fetch ?? globalThis.fetch
  const subscribed = new Set<string>(options.events)
  let delivered = 0
  let failed = 0
  let failedAttempts = 0
  let dropped = 0
  let closed = false
  const idleWaiters = new Set<() => void>()

  const targets = options.urls.map((url) => ({
    url,
    label: safeUrl(url),
    queue: [] as Delivery[],
    busy: false,
    retryTimer: undefined as TimerHandle | undefined,
    inFlight: undefined as AbortController | undefined,
  }))
  type Target = (typeof targets)[number]

  const queuedCount = () => targets.reduce((sum, target) => sum + target.queue.length, 0)
  const checkIdle = () => {
    if (queuedCount() > 0) return
    for (const resolve of idleWaiters) resolve()
    idleWaiters.clear()
  }

  /** One POST; resolves with undefined on a 2xx, else with why it failed (for the log). */
  async function attempt(target: Target, delivery: Delivery): Promise<Record<string, unknown> | undefined> {
    const controller = new AbortController()
    target.inFlight = controller
    const timer = clock.setTimeout(() => controller.abort(), options.timeoutMs)
    try {
      const signature = await signWebhook(secret, Math.floor(clock.wallNow() / 1000), delivery.body)
      const response = await fetchImpl(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'hb-server', 'hb-event-id': delivery.id, [webhookSignatureHeader]: signature },
        body: delivery.body,
        signal: controller.signal,
        redirect: 'manual',
      })
      await response.body?.cancel()
      return response.status >= 200 && response.status < 300 ? undefined : { status: response.status }
    } catch (error) {
      return { reason: controller.signal.aborted ? 'timeout' : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name) }
    } finally {
      clock.clearTimeout(timer)
      target.inFlight = undefined
    }
  }

  async function pump(target: Target): Promise<void> {
    if (target.busy || closed) return
    const delivery = target.queue[0]
    if (delivery === undefined) return checkIdle()
    target.busy = true
    delivery.attempts++
    const failure = await attempt(target, delivery)
    target.busy = false
    if (closed) return
    const fields = { url: target.label, id: delivery.id, attempts: delivery.attempts }
    if (failure !== undefined) failedAttempts++
    if (failure === undefined || delivery.attempts >= options.maxAttempts) {
      // Counted before logged: whoever watches the log sees the counts already updated.
      if (failure === undefined) {
        delivered++
        logger?.debug(fields, 'webhook delivered')
      } else {
        failed++
        logger?.warn({ ...fields, ...failure }, 'webhook delivery abandoned')
      }
      // The delivery may have been dropped meanwhile (queue full): remove it only if still first.
      if (target.queue[0] === delivery) target.queue.shift()
      void pump(target)
      return
    }
    const delayMs = Math.min(maxBackoffMs, options.backoffMs * 2 ** (delivery.attempts - 1))
    target.retryTimer = clock.setTimeout(() => {
      target.retryTimer = undefined
      void pump(target)
    }, delayMs)
    logger?.warn({ ...fields, ...failure, retryInMs: delayMs }, 'webhook attempt failed')
  }

  return {
    enqueue(event, id) {
      if (closed || !subscribed.has(event.type) || targets.length === 0) return
      const body = JSON.stringify({ id, type: event.type, peer: event.peer, ...(event.reason === undefined ? {} : { reason: event.reason }), at: new Date(event.at).toISOString() })
      for (const target of targets) {
        if (target.queue.length >= options.maxQueue) {
          // Drop the oldest one not in flight, so the receiver's picture stays the newest
          // possible; with a queue of one whose delivery is in flight, the new one goes.
          dropped++
          const oldest = target.busy || target.retryTimer !== undefined ? 1 : 0
          if (oldest >= target.queue.length) continue
          target.queue.splice(oldest, 1)
        }
        target.queue.push({ body, id, attempts: 0 })
        if (target.retryTimer === undefined) void pump(target)
      }
    },
    stats: () => ({ delivered, failed, failedAttempts, dropped, queued: queuedCount() }),
    drain(deadlineMs) {
      if (queuedCount() === 0) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = clock.setTimeout(() => {
          idleWaiters.delete(done)
          resolve()
        }, deadlineMs)
        const done = () => {
          clock.clearTimeout(timer)
          resolve()
        }
        idleWaiters.add(done)
      })
    },
    close() {
      if (closed) return
      closed = true
      for (const target of targets) {
        clock.clearTimeout(target.retryTimer)
        target.inFlight?.abort()
        dropped += target.queue.length
        target.queue.length = 0
      }
      checkIdle()
    },
  }
}
