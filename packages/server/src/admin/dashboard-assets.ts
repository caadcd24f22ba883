/**
 * The dashboard's files (`dashboard/` in the package: plain HTML, CSS and an
 * ES module, no build step), read once when the admin server starts.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One file, ready to serve. */
export interface Asset {
  readonly body: Buffer
  readonly contentType: string
}

const files: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/chart.js': 'chart.js',
  '/style.css': 'style.css',
}
const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

/** The package's `dashboard/` folder, from `dist/` (built) or `src/admin/` (tests run the sources). */
function dashboardDirectory(): string {
  for (const relative of ['../dashboard/', '../../dashboard/']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(`${candidate}index.html`)) return candidate
  }
  throw new Error('the dashboard files are missing from the @hb/server package')
}

/** Reads the dashboard's files: URL path → asset. */
export function loadDashboardAssets(): Map<string, Asset> {
  const directory = dashboardDirectory()
  const assets = new Map<string, Asset>()
  for (const [path, file] of Object.entries(files)) {
    assets.set(path, { body: readFileSync(directory + file), contentType: types[file.split('.').pop()!]! })
  }
  return assets
}
