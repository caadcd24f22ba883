/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core
 * (given `/usr/bin/chromium`; no browser is ever downloaded). The page is
 * served by a real createHbServer; peers beat over UDP on 127.0.0.1.
 * Screenshots go to test-artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createBeater } from '@hb/core'
import type { StopFunction } from '@hb/core'
import { createFakeClock, createMemoryTransportPair, recordMonitorEvents } from '@hb/core/testing'
import { pino } from 'pino'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { createClientTransport, createHbServer } from '../src/index.js'
import type { HbServer, HbServerConfig, HbServerOptions } from '../src/index.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
const browserRequired = process.env.HB_REQUIRE_BROWSER === '1'
const INSTALL_HINT = `install Debian's Chromium with \`apt-get install chromium\` (it must be at ${CHROMIUM}; no browser is downloaded)`
const skipNote = hasChromium || browserRequired ? '' : ` (skipped: ${INSTALL_HINT}; HB_REQUIRE_BROWSER=1 makes this a failure)`
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url))
const SECRET = 'dashboard-secret'
const TIMEOUT_MS = 1000
const TICK_MS = 20

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function startServer(config: Partial<HbServerConfig>, options: HbServerOptions = {}): Promise<HbServer> {
  const server = createHbServer({ host: '127.0.0.1', adminPort: 0, secret: SECRET, sampleIntervalMs: 200, ...config }, { logger: pino({ level: 'silent' }), ...options })
  cleanup.push(() => server.close())
  await server.start()
  return server
}

async function openDashboard(url: string): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  if (!hasChromium) throw new Error(`HB_REQUIRE_BROWSER=1 but there is no browser: ${INSTALL_HINT}`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 15_000,
  })
  cleanup.push(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${url}/`, { timeout: 10_000 })
  await page.waitForFunction(() => (globalThis as { hbDashboard?: { status: string } }).hbDashboard?.status === 'live', undefined, { timeout: 10_000 })
  return { browser, page, errors }
}

function rowState(page: Page, id: string): Promise<string | null> {
  return page.locator(`tr[data-peer-id="${id}"]`).getAttribute('data-state', { timeout: 10_000 })
}

describe('dashboard in Chromium', () => {
  it.skipIf(!hasChromium && !browserRequired)(
    `shows a beater going online, and offline within timeout + one tick when it stops${skipNote}`,
    async () => {
      // The monitor and the beater run on a fake clock (frames still cross real UDP sockets),
      // so "within timeout + one tick" is exact, however busy the machine is.
      const clock = createFakeClock(0, { wallStartMs: Date.now() }) // the page shows "last seen" against its own calendar
      const server = await startServer({ udp: 0, timeoutMs: TIMEOUT_MS, tickMs: TICK_MS }, { clock })
      const recorder = recordMonitorEvents(server.monitor, ['online', 'offline'])
      const { page, errors } = await openDashboard(server.adminUrl())

      const beater = createBeater({ id: 'worker-1', secret: SECRET, clock, intervalMs: 100, jitter: 0, transport: createClientTransport(`udp://127.0.0.1:${server.addresses().udp!.port}`) })
      const stop = beater.start()
      cleanup.push(() => stop({ bye: false }))
      await recorder.until(() => recorder.events.includes('online worker-1'), 'online')
      await page.locator('tr[data-peer-id="worker-1"][data-state="alive"]').waitFor({ timeout: 10_000 })
      clock.advance(200) // one sample for the counts and the chart
      await page.locator('#count-alive', { hasText: '1' }).waitFor({ timeout: 10_000 })
      expect(await page.locator('tr[data-peer-id="worker-1"] td').allTextContents()).toEqual([
        'worker-1',
        'alive',
        'udp',
        expect.stringMatching(/^(–|\d+\.\d ms)$/),
        expect.stringMatching(/s ago$/),
        expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      ])

      // Silent stop, as a crash: no bye.
      await stop({ bye: false })
      const deadline = server.monitor.get('worker-1')!.lastSeenMonotonicMs + TIMEOUT_MS
      clock.advance(deadline - clock.now() - 1)
      expect(recorder.events).not.toContain('offline worker-1 timeout')
      expect(await rowState(page, 'worker-1')).toBe('alive')
      clock.advance(1 + TICK_MS)
      expect(recorder.events).toContain('offline worker-1 timeout')
      await page.locator('tr[data-peer-id="worker-1"][data-state="dead"]').waitFor({ timeout: 5000 })
      await page.locator('#timeline li', { hasText: 'worker-1 offline (timeout)' }).waitFor({ timeout: 5000 })
      expect(errors).toEqual([])
      mkdirSync(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: `${ARTIFACTS}dashboard-offline.png`, fullPage: true })
      // .ci/run looks for this line: proof that the dashboard's real-browser test ran rather than skipped.
      console.log('hb-ci-check: dashboard test ran in chromium')
    },
    40_000,
  )

  it.skipIf(!hasChromium && !browserRequired)(
    `stays paged and live with 10,000 peers${skipNote}`,
    async () => {
      const pair = createMemoryTransportPair({ kind: 'datagram' })
      const server = await startServer({ timeoutMs: 60_000 }, { transports: [pair.server] })
      const recorder = recordMonitorEvents(server.monitor, ['online'])
      const stops: StopFunction[] = []
      for (let i = 0; i < 10_000; i++) {
        stops.push(createBeater({ id: `peer-${String(i).padStart(5, '0')}`, secret: SECRET, intervalMs: 30_000, transport: pair.createClient() }).start())
      }
      cleanup.push(() => Promise.all(stops.map((stop) => stop({ bye: false }))))
      await recorder.until(() => recorder.events.length === 10_000, '10,000 peers online', 20_000)

      const { page, errors } = await openDashboard(server.adminUrl())
      await page.locator('#count-alive', { hasText: '10000' }).waitFor({ timeout: 10_000 })
      await page.locator('#page-info', { hasText: '1–100 of 10000' }).waitFor({ timeout: 10_000 })
      expect(await page.locator('#peers tr').count()).toBe(100)
      await page.click('#next')
      await page.locator('#page-info', { hasText: '101–200 of 10000' }).waitFor({ timeout: 5000 })
      expect(await page.locator('#peers tr').first().getAttribute('data-peer-id')).toBe('peer-00100')

      // A peer on the visible page leaves: its row changes in place.
      await stops[150]!()
      await page.locator('tr[data-peer-id="peer-00150"][data-state="left"]').waitFor({ timeout: 5000 })
      await page.fill('#search', 'peer-0999')
      await page.locator('#page-info', { hasText: '1–10 of 10' }).waitFor({ timeout: 5000 })
      expect(errors).toEqual([])
      mkdirSync(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: `${ARTIFACTS}dashboard-10k.png`, fullPage: true })
    },
    60_000,
  )
})
