#!/usr/bin/env node
/**
 * Redis memory per peer of @hb/redis at a given scale, against the naive
 * design (one `SET key PX` per peer) in the same run on the same redis-server
 * (the `redis` scenario runs the same measurement at 100k in --quick and 1M in
 * full mode):
 *
 *   node bench/redis-memory.mjs [--peers 1000000] [--processes 3] [--batch 5000] [--seq-start 100000]
 *
 * `processes` monitor processes register the peers between them (see
 * `register` in processes/redis-monitor.mjs) in a private redis-server; INFO
 * used_memory before and after, divided by the peers registered. About a
 * minute and a half per million peers on 2 cores, for both designs.
 */
import { parseArgs } from 'node:util'
import { createClient } from 'redis'
import { describeMachine, formatCpuFlags } from './lib/machine.mjs'
import { startRedisServer } from '@hb/test-redis'
import { measureMemory } from './lib/redis-memory.mjs'

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '1000000' },
    processes: { type: 'string', default: '3' },
    batch: { type: 'string', default: '5000' },
    'seq-start': { type: 'string', default: '100000' },
    'limit-s': { type: 'string', default: '600' },
  },
})
const peers = Number(values.peers)
const options = { processes: Number(values.processes), batch: Number(values.batch), seqStart: Number(values['seq-start']), limitMs: Number(values['limit-s']) * 1000 }
for (const [name, value] of Object.entries({ peers, ...options })) {
  if (!Number.isInteger(value) || value <= 0 && name !== 'seqStart' || value < 0) {
    console.error(`--${name} must be a positive integer`)
    process.exit(2)
  }
}
const owned = []
const ctx = { own: (thing) => (owned.push(thing), thing), log: (line) => console.log(line) }
const server = await startRedisServer()
const admin = await createClient({ url: server.url, RESP: 2 }).connect()
const machine = describeMachine()
console.log(`redis memory at ${peers} peers on ${machine.cpuModel} (${formatCpuFlags(machine.cpuFlags)}), ${machine.cores} cores, load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, ${machine.date}`)
try {
  const result = await measureMemory(ctx, server, admin, peers, options)
  const redisVersion = (await admin.sendCommand(['INFO', 'server'])).toString().match(/redis_version:(\S+)/)?.[1]
  console.log(JSON.stringify({ startedAt: machine.date, endedAt: new Date().toISOString(), cpu: machine.cpuModel, cpuFlags: machine.cpuFlags, redisVersion, requested: peers, ...result }))
} finally {
  await admin.quit()
  await server.stop()
}
