/**
 * Webhook delivery metrics, read from the dispatcher's counts at each scrape.
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js'

/**
 * Registers `hb_webhook_deliveries_total{result}` (`delivered`, `failed`:
 * abandoned after every attempt, `dropped`: queue full or shutdown),
 * `hb_webhook_failed_attempts_total` and `hb_webhook_queue_length`.
 */
export function registerWebhookMetrics(dispatcher: WebhookDispatcher, registry: Registry): void {
  const registers = [registry]
  new Counter({
    name: 'hb_webhook_deliveries_total',
    help: 'Webhook deliveries by outcome: delivered, failed (every attempt failed), dropped (queue full or shutdown).',
    labelNames: ['result'],
    registers,
    collect() {
      const stats = dispatcher.stats()
      this.reset()
      this.inc({ result: 'delivered' }, stats.delivered)
      this.inc({ result: 'failed' }, stats.failed)
      this.inc({ result: 'dropped' }, stats.dropped)
    },
  })
  new Counter({
    name: 'hb_webhook_failed_attempts_total',
    help: 'Webhook attempts that failed (error status, network error or timeout), retried or not.',
    registers,
    collect() {
      this.reset()
      this.inc(dispatcher.stats().failedAttempts)
    },
  })
  new Gauge({
    name: 'hb_webhook_queue_length',
    help: 'Webhook deliveries waiting or in flight.',
    registers,
    collect() {
      this.set(dispatcher.stats().queued)
    },
  })
}
