/**
 * Clients of the ws-recipe scenario, alone in their process:
 * `ws-recipe-clients.mjs recipe|hb|hb-one-way <url> <count> live|doomed-<group> <intervalMs>`.
 *
 * recipe: plain `ws` clients, which answer pings automatically.
 * hb-one-way: the same beaters with `expectAcks: false` (for a one-way monitor).
 * hb: `createBeater` over `createWsClient` at its defaults, beating every
 * `intervalMs`, each started at a random time over a spread of at least one
 * interval (and at most 2000 connections a second), as a fleet's clients
 * start. Where the beats fall is the beater's own default on WebSocket
 * (`phase: 'slot'`: each client in one of the interval's ~100 ms slots of the
 * monitor's clock, whenever it started).
 *
 * The scenario freezes the doomed process with SIGSTOP: its sockets stay open
 * (the kernel still acknowledges TCP) but nothing answers, as with a hung
 * process or a proxy in front of a dead client. That is what a heartbeat has to
 * catch; a closed socket would be reported by the socket itself.
 */
import { WebSocket } from 'ws'
import { createBeater } from '@hb/core'
import { createWsClient } from '@hb/ws'
import { peerId, SECRET } from '../lib/frames.mjs'
import { serveParent } from '../lib/serve.mjs'

const [mode, url, countArg, role, intervalArg] = process.argv.slice(2)
const count = Number(countArg)
const intervalMs = Number(intervalArg)
const BATCH = 250
const clients = []

function openRecipeClient() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?${role}`)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function startBeater(index, spreadMs) {
  return new Promise((resolve, reject) => {
    const beater = createBeater({
      id: peerId(role === 'live' ? 'l' : `d${role.slice('doomed-'.length)}`, index),
      secret: SECRET,
      transport: createWsClient({ url }),
      intervalMs,
      expectAcks: mode !== 'hb-one-way',
    })
    // One-way beaters get no ack: connected is as far as they can tell (the server counts them online).
    beater.once(mode === 'hb-one-way' ? 'connect' : 'ack', () => resolve(beater))
    beater.once('error', reject)
    setTimeout(() => clients.push(beater.start()), Math.random() * spreadMs)
  })
}

async function connectAll() {
  const started = performance.now()
  if (mode.startsWith('hb')) {
    const spreadMs = Math.max(intervalMs, count / 2)
    await Promise.all(Array.from({ length: count }, (_, i) => startBeater(i, spreadMs)))
    return { count, connectMs: performance.now() - started }
  }
  for (let first = 0; first < count; first += BATCH) {
    const batch = []
    for (let i = first; i < Math.min(count, first + BATCH); i++) batch.push(openRecipeClient())
    for (const ws of await Promise.all(batch)) clients.push(() => ws.terminate())
  }
  return { count, connectMs: performance.now() - started }
}

serveParent({ connect: connectAll }, { mode, role }, async () => {
  await Promise.all(clients.map((stop) => stop({ bye: false })))
})
