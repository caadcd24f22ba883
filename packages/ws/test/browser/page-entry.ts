/**
 * The page of the browser test, bundled by `browser.test.ts` with esbuild for
 * `platform: 'browser'`: a beater from `@hb/core` on the client of
 * `@hb/ws/client`, as an application would ship it. The query string says
 * where to beat and as whom (`?url=ws://…&id=…&secret=…`); what happens is
 * published as `window.hbStatus` (see `page-status.ts`).
 *
 * `crypto.subtle.sign` and `verify` are wrapped to count calls (then passed
 * through unchanged), so the test can tell the frames were signed with
 * WebCrypto: the beater picks it by itself where node:crypto is missing.
 */
import { createBeater, HeartbeatError } from '@hb/core'
import { createWsClient } from '@hb/ws/client'
import type { PageStatus } from './page-status.js'

type SubtleMethod = (...args: unknown[]) => Promise<unknown>

/** The browser globals used here, declared so this file compiles without the DOM lib. */
interface PageGlobals {
  location: { search: string }
  isSecureContext: boolean
  crypto: { subtle: { sign: SubtleMethod; verify: SubtleMethod } }
  process?: unknown
  hbStatus?: PageStatus
}

const page = globalThis as unknown as PageGlobals
const status: PageStatus = {
  acks: 0,
  connects: 0,
  subtleSigns: 0,
  subtleVerifies: 0,
  hasProcess: page.process !== undefined,
  isSecureContext: page.isSecureContext,
  errors: [],
}
page.hbStatus = status

function countCalls(method: 'sign' | 'verify', onCall: () => void): void {
  const subtle = page.crypto.subtle
  const original = subtle[method]
  subtle[method] = (...args) => {
    onCall()
    return original.apply(subtle, args)
  }
}

function report(error: unknown): void {
  status.errors.push(HeartbeatError.isInstance(error) ? `${error.code}: ${error.message}` : String(error))
}

try {
  countCalls('sign', () => status.subtleSigns++)
  countCalls('verify', () => status.subtleVerifies++)
  const params = new URLSearchParams(page.location.search)
  const beater = createBeater({
    id: params.get('id') ?? '',
    secret: params.get('secret') ?? '',
    intervalMs: 200,
    transport: createWsClient({ url: params.get('url') ?? '' }),
  })
  beater.on('ack', () => status.acks++)
  beater.on('connect', () => status.connects++)
  beater.on('error', report)
  beater.start()
} catch (error) {
  report(error)
}
