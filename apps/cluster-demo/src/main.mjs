/**
 * hb across processes: three monitors (child processes, UDP) share one
 * presence through Redis. Six peers beat to them; two move, monitor m0 is
 * SIGKILLed, one peer says bye; then the cluster's timeline, as read from
 * its Redis stream by an observer, is printed: one online and one offline per
 * peer, each decided in exactly one process.
 *
 *   pnpm --filter @hb/cluster-demo start        (REDIS_URL=… to use your own Redis)
 */
import { fork } from 'node:child_process'
import { createBeater, createMonitor } from '@hb/core'
import { createRedisPresence } from '@hb/redis'
import { createUdpClient } from '@hb/udp'
import { createClient } from 'redis'
import { startRedis } from './redis-server.mjs'
import { SECRET } from './shared.mjs'

const TIMEOUT_MS = 2000
const INTERVAL_MS = 500
const started = Date.now()
const at = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(4)} s`
const say = (text) => console.log(`${at()}  ${text}`)

function startMonitor(url, name) {
  const child = fork(new URL('./monitor-process.mjs', import.meta.url), [url, name, String(TIMEOUT_MS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)))
    child.on('message', (message) => {
      if (message?.type === 'ready') resolve({ name, port: message.port, child })
    })
  })
}

/** A peer beats to one monitor; moving it is a reconnect elsewhere (a new beater, a new incarnation). */
function startPeer(id, monitor) {
  const beater = createBeater({ id, secret: SECRET, intervalMs: INTERVAL_MS, transport: createUdpClient({ host: '127.0.0.1', port: monitor.port }) })
  return { id, monitor, stop: beater.start() }
}

const redisServer = await startRedis()
const redis = await createClient({ url: redisServer.url }).on('error', () => {}).connect()
await redis.del(['{cluster-demo}:events'])
const monitors = await Promise.all(['m0', 'm1', 'm2'].map((name) => startMonitor(redisServer.url, name)))
say(`3 monitors up (${monitors.map((m) => `${m.name} on udp ${m.port}`).join(', ')}), Redis at ${redisServer.url}`)

// An observer: any process can read the cluster's decisions (no monitor of its own needed).
const observer = createRedisPresence({ redis, monitor: createMonitor({ secret: SECRET }), namespace: 'cluster-demo', timeoutMs: TIMEOUT_MS })
const timeline = []
const reading = new AbortController()
const done = (async () => {
  for await (const event of observer.events({ from: '0', signal: reading.signal })) {
    timeline.push(event)
    say(`cluster: ${event.type.padEnd(7)} ${event.peerId} (held by ${event.monitor}${event.reason ? `, ${event.reason}` : ''})`)
  }
})()

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const peers = new Map()
for (let i = 0; i < 6; i++) peers.set(`peer-${i}`, startPeer(`peer-${i}`, monitors[i % 3]))
await wait(1500)

for (const [id, to] of [['peer-1', monitors[2]], ['peer-2', monitors[0]]]) {
  say(`${id} moves from ${peers.get(id).monitor.name} to ${to.name}`)
  await peers.get(id).stop({ bye: false })
  peers.set(id, startPeer(id, to))
}
await wait(3000)

say(`SIGKILL ${monitors[0].name}: its peers (${[...peers.values()].filter((p) => p.monitor === monitors[0]).map((p) => p.id).join(', ')}) now beat into the void`)
monitors[0].child.kill('SIGKILL')
await wait(TIMEOUT_MS * 2 + TIMEOUT_MS / 3 + 1000)

say('peer-4 leaves with bye')
await peers.get('peer-4').stop()
await wait(1000)

say(`cluster size now: ${await observer.size()}; stopping`)
for (const peer of peers.values()) await peer.stop({ bye: true })
await wait(1500)
reading.abort()
await done
for (const m of monitors.slice(1)) m.child.send('stop')
await Promise.all(monitors.slice(1).map((m) => new Promise((resolve) => m.child.once('exit', resolve))))
await observer.close()
await redis.close()
await redisServer.stop()

const counts = new Map()
for (const e of timeline) counts.set(e.peerId, `${counts.get(e.peerId) ?? ''}${e.type === 'online' ? '+' : '-'}`)
console.log('\nper peer (+ online, − offline):', [...counts].map(([id, c]) => `${id} ${c}`).join(', '))
const exact = [...counts.values()].every((c) => c === '+-') && counts.size === 6
console.log(exact ? 'every peer: exactly one online and one offline for the whole cluster' : 'UNEXPECTED timeline')
process.exitCode = exact ? 0 : 1
