/**
 * Summarizes `.cpuprofile` files (from `node --cpu-prof`, or `pnpm bench
 * --profile`, which profiles hb's receiving processes into
 * bench/results/profiles/): self time per function and per file, largest
 * first.
 *
 *   node bench/profile-summary.mjs <file.cpuprofile>… [--top 25]
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

const args = process.argv.slice(2)
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25
const files = args.filter((arg, i) => !arg.startsWith('--') && (topAt < 0 || i !== topAt + 1))
if (files.length === 0) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile>… [--top 25]')
  process.exit(2)
}

/** Where a function lives, short: `packages/core/dist/index.js` → `core/dist/index.js`, node internals as `node:…`. */
function place(url) {
  if (url === '') return '(native)'
  const path = url.replace(/^file:\/\//, '')
  const packages = path.indexOf('/packages/')
  if (packages >= 0) return path.slice(packages + '/packages/'.length)
  const modules = path.lastIndexOf('/node_modules/')
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length)
  if (path.startsWith('node:')) return path
  const bench = path.indexOf('/bench/')
  return bench >= 0 ? path.slice(bench + 1) : basename(path)
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const selfUs = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const byFunction = new Map()
  const byFile = new Map()
  let totalUs = 0
  let idleUs = 0
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0
    if (us === 0) continue
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName || '(anonymous)'
    totalUs += us
    if (name === '(idle)') idleUs += us
    const where = place(url)
    const key = `${name}  ${where}${url ? `:${lineNumber + 1}` : ''}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
    if (name !== '(idle)') byFile.set(where, (byFile.get(where) ?? 0) + us)
  }
  const busyUs = totalUs - idleUs
  const pct = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`
  console.log(`\n${basename(file)}: ${(totalUs / 1e6).toFixed(2)} s sampled, ${(busyUs / 1e6).toFixed(2)} s busy (shares below are of busy time)`)
  console.log('  self time by function:')
  for (const [key, us] of [...byFunction].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`)
  }
  console.log('  self time by file:')
  for (const [where, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Math.min(top, 12))) {
    console.log(`  ${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${where}`)
  }
}
