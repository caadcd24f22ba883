/**
 * The server of the ws-recipe scenario, alone in its process:
 * `ws-recipe-server.mjs recipe|hb|hb-one-way <intervalMs> [profile path]`.
 *
 * recipe: the heartbeat recipe of the `ws` README ("How to detect and close
 * broken connections?"), as written there: every `intervalMs`, one sweep over
 * `wss.clients` terminates each client whose `isAlive` is still false and
 * pings the others after setting it to false; a pong sets it back to true.
 * hb: a monitor on `@hb/ws`, clients beat every `intervalMs`, timeout
 * 2 × `intervalMs` (the recipe also convicts after at most two intervals).
 * hb-one-way: the same monitor with `acks: false`: what hb costs without acks.
 *
 * Clients whose URL (recipe: `?doomed-<group>`) or peer id (hb: `d<group>…`)
 * marks them doomed are the ones the scenario freezes, group by group; every
 * conviction is timed (wall clock, comparable with the scenario's) with its
 * group, and a conviction of a live client is counted as false.
 *
 * A third argument, a file path, CPU-profiles the measured window only (from
 * `mark` to `report`), not the connection storm before it.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { WebSocketServer } from 'ws'
import { createMonitor } from '@hb/core'
import { createWsServer } from '@hb/ws'
import { SECRET } from '../lib/frames.mjs'
import { serveParent, wallNow } from '../lib/serve.mjs'

const [mode, intervalArg, profilePath] = process.argv.slice(2)
const intervalMs = Number(intervalArg)
let convictions = []
let falseConvictions = 0

function convicted(group) {
  if (group !== undefined) convictions.push({ group, at: wallNow() })
  else falseConvictions++
}

async function startRecipe() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  function heartbeat() {
    this.isAlive = true
  }
  wss.on('connection', function connection(ws, request) {
    ws.isAlive = true
    ws.group = /doomed-(\d+)/.exec(request.url)?.[1]
    ws.on('error', () => undefined)
    ws.on('pong', heartbeat)
  })
  const interval = setInterval(function ping() {
    wss.clients.forEach(function each(ws) {
      if (ws.isAlive === false) {
        convicted(ws.group)
        return ws.terminate()
      }
      ws.isAlive = false
      ws.ping()
    })
  }, intervalMs)
  wss.on('close', function close() {
    clearInterval(interval)
  })
  await new Promise((resolve) => wss.once('listening', resolve))
  return {
    port: wss.address().port,
    connected: () => wss.clients.size,
    guarded: () => 0,
    close: () => {
      for (const ws of wss.clients) ws.terminate()
      return new Promise((resolve) => wss.close(resolve))
    },
  }
}

async function startHb() {
  const transport = createWsServer({ host: '127.0.0.1', port: 0 })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 2 * intervalMs, transports: [transport], acks: mode !== 'hb-one-way' })
  let online = 0
  monitor.on('online', () => online++)
  monitor.on('offline', (peer, reason) => {
    online--
    if (reason === 'timeout') convicted(peer.id.startsWith('d') ? peer.id[1] : undefined)
  })
  await monitor.start()
  return {
    port: transport.address().port,
    connected: () => online,
    // Deadlines the local-health guard postponed because this process's loop was blocked.
    guarded: () => monitor.stats().guarded,
    close: () => monitor.close(),
  }
}

const server = mode.startsWith('hb') ? await startHb() : await startRecipe()
let cpuMark = process.cpuUsage()
let usageMark = process.resourceUsage()
let markedAt = wallNow()
let guardedAtMark = 0
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const profiler = profilePath === undefined ? undefined : new Session()
if (profiler !== undefined) {
  profiler.connect()
  await profiler.post('Profiler.enable')
}
serveParent(
  {
    connected: () => server.connected(),
    async mark() {
      await profiler?.post('Profiler.start')
      cpuMark = process.cpuUsage()
      usageMark = process.resourceUsage()
      markedAt = wallNow()
      convictions = []
      falseConvictions = 0
      loopDelay.reset()
      guardedAtMark = server.guarded()
      return markedAt
    },
    async report() {
      const cpu = process.cpuUsage(cpuMark)
      const usage = process.resourceUsage()
      if (profiler !== undefined) writeFileSync(profilePath, JSON.stringify((await profiler.post('Profiler.stop')).profile))
      return {
        windowMs: wallNow() - markedAt,
        cpuMs: (cpu.user + cpu.system) / 1000,
        userMs: cpu.user / 1000,
        systemMs: cpu.system / 1000,
        // Each time the process slept in epoll and was woken: one event-loop wakeup.
        wakeups: usage.voluntaryContextSwitches - usageMark.voluntaryContextSwitches,
        convictions,
        falseConvictions,
        connected: server.connected(),
        guarded: server.guarded() - guardedAtMark,
        eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      }
    },
  },
  { port: server.port, mode },
  () => server.close(),
)
