/**
 * The client in a real browser: `test/browser/page-entry.ts` (a beater from
 * `@hb/core` on `@hb/ws/client`) is bundled with esbuild for the browser,
 * served from a `node:http` server that also hosts the monitor's WebSocket
 * endpoint, and run in Debian's Chromium through playwright-core (which never
 * downloads a browser here: it is given `/usr/bin/chromium`).
 *
 * `@hb/ws/client` resolves to `src/client.ts` (tsconfig `paths`, which esbuild
 * reads too), like every other test here, so this does not need `@hb/ws` to be
 * built first; `@hb/core` is its built package.
 */
import { existsSync } from 'node:fs'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { createWsServer } from '../src/index.js'
import type { PageStatus } from './browser/page-status.js'
import { SECRET, startRealTimeMonitor, WAIT_MS } from './support.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
const browserRequired = process.env.HB_REQUIRE_BROWSER === '1'
const INSTALL_HINT = `install Debian's Chromium with \`apt-get install chromium\` (it must be at ${CHROMIUM}; no browser is downloaded)`
const PEER_ID = 'browser-tab'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  // Last opened, first closed: the browser before the monitor before the http server.
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** The page entry bundled as a browser would get it; fails if anything in it needs Node. */
async function bundlePage() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/page-entry.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  return { code: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) }
}

/** An http server on 127.0.0.1 serving the page at `/` and its bundle at `/page.js`; everything else is 404. */
async function pageServer(bundle: string): Promise<{ server: Server; origin: string }> {
  const html = '<!doctype html><meta charset="utf-8"><title>hb browser test</title><script type="module" src="/page.js"></script>'
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const body = path === '/' ? html : path === '/page.js' ? bundle : undefined
    if (body === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': path === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8' })
    response.end(body)
  })
  server.listen(0, '127.0.0.1')
  cleanup.push(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  await once(server, 'listening', { signal: AbortSignal.timeout(WAIT_MS) })
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

describe('@hb/ws/client in a browser', () => {
  it('bundles for the browser with no Node builtin, no server and no ws package', async () => {
    const { code, inputs } = await bundlePage()
    expect(inputs.some((input) => input.endsWith('src/client.ts'))).toBe(true)
    expect(inputs.some((input) => /core\/dist\/index\.js$/.test(input))).toBe(true)
    expect(inputs.filter((input) => /node_modules\/ws\/|src\/(ws-server|ws-link|upgrade-server)\.ts$/.test(input))).toEqual([])
    // Node's ws is reached only at run time through process.getBuiltinModule, which a browser lacks.
    expect(code).not.toMatch(/\bfrom\s*["']node:|\brequire\(["']|import\(["']ws["']\)/)
  })

  it.skipIf(!hasChromium && !browserRequired)(
    `beats from Chromium, signing with WebCrypto, and goes offline when the page closes${hasChromium || browserRequired ? '' : ` (skipped: ${INSTALL_HINT}; HB_REQUIRE_BROWSER=1 makes this a failure)`}`,
    async () => {
      if (!hasChromium) throw new Error(`HB_REQUIRE_BROWSER=1 but there is no browser: ${INSTALL_HINT}`)
      const { code } = await bundlePage()
      const { server, origin } = await pageServer(code)
      const { monitor, events, rejected, until } = await startRealTimeMonitor(createWsServer({ server, path: '/hb' }), { timeoutMs: 1000, tickMs: 20 })
      cleanup.push(() => monitor.close())

      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
        timeout: 15_000,
      })
      cleanup.push(() => browser.close())
      const page = await browser.newPage()
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))

      const query = new URLSearchParams({ url: `${origin.replace('http:', 'ws:')}/hb`, id: PEER_ID, secret: SECRET })
      await page.goto(`${origin}/?${query.toString()}`, { timeout: WAIT_MS })
      await until(() => events.includes(`online ${PEER_ID}`), 'the page going online', 10_000)
      await page.waitForFunction(() => ((globalThis as { hbStatus?: PageStatus }).hbStatus?.acks ?? 0) >= 3, undefined, { timeout: WAIT_MS })

      const status = await page.evaluate(() => (globalThis as { hbStatus?: PageStatus }).hbStatus)
      expect(pageErrors).toEqual([])
      expect(status).toMatchObject({ connects: 1, hasProcess: false, isSecureContext: true, errors: [] })
      // Every frame was signed by crypto.subtle.sign, every ack checked by crypto.subtle.verify.
      expect(status?.subtleSigns).toBeGreaterThanOrEqual(status?.acks ?? Infinity)
      expect(status?.subtleVerifies).toBeGreaterThanOrEqual(status?.acks ?? Infinity)
      expect(monitor.get(PEER_ID)?.state).toBe('alive')
      expect(rejected).toEqual([])

      // The tab goes away: its socket closes (suspect at once, linkDown: 'suspect'),
      // then no beat arrives within timeoutMs.
      await page.close()
      await until(() => events.includes(`offline ${PEER_ID} timeout`), 'the peer going offline', 5000)
      expect(events.filter((event) => event.endsWith(PEER_ID) || event.endsWith(`${PEER_ID} timeout`))).toEqual([
        `online ${PEER_ID}`,
        `suspect ${PEER_ID}`,
        `offline ${PEER_ID} timeout`,
      ])
      // .ci/run looks for this line: proof that the real-browser test ran rather than skipped.
      console.log('hb-ci-check: browser test ran in chromium')
    },
    30_000,
  )
})
