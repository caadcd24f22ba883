/**
 * `@hb/server`: hb as a service. The `hb` command (`hb serve`, `hb beat`,
 * `hb keygen`, `hb derive-key`) and, for embedding, what it is made of:
 * `createHbServer`, `registerMonitorMetrics`, `createClientTransport` and the
 * webhook signature helpers.
 */
export { createHbServer } from './server/create-hb-server.js'
export type { HbServer, HbServerOptions } from './server/create-hb-server.js'
export type { HbServerConfig, ResolvedServerConfig } from './config/server-config.js'
export { webhookEventNames } from './config/parse-value.js'
export type { WebhookEventName } from './config/parse-value.js'
export { registerMonitorMetrics } from './metrics/register-monitor-metrics.js'
export type { MonitorMetrics, MonitorMetricsOptions } from './metrics/register-monitor-metrics.js'
export { createClientTransport, clientUrlSchemes } from './client/create-client-transport.js'
export { signWebhook, verifyWebhookSignature, webhookSignatureHeader } from './webhooks/webhook-signature.js'
export type { VerifyWebhookOptions } from './webhooks/webhook-signature.js'
export type { PeerView } from './presence/peer-view.js'
export type { PresenceEvent } from './presence/presence.js'
export type { PeerSummary } from './admin/peer-summary.js'
