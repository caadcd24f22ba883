#!/usr/bin/env node
/**
 * Redis memory per peer of @hb/redis at a given scale, alone (the `redis`
 * scenario measures it at 100k in --quick and 1M in full mode, with a 150 s
 * fill limit; a 1M fill on 2 cores takes longer):
 *
 *   node bench/redis-memory.mjs [--peers 1000000] [--wait-s 900]
 *
 * One hb monitor process registers the peers in a private redis-server; INFO
 * used_memory before and after, divided by the peers registered.
 */
import { parseArgs } from 'node:util'
import { createClient } from 'redis'
import { startRedisServer } from './lib/redis-server.mjs'
import { measureMemory } from './scenarios/redis.mjs'

const { values } = parseArgs({ options: { peers: { type: 'string', default: '1000000' }, 'wait-s': { type: 'string', default: '900' } } })
const peers = Number(values.peers)
const waitMs = Number(values['wait-s']) * 1000
const owned = []
const ctx = { own: (thing) => (owned.push(thing), thing), log: (line) => console.log(line) }
const server = await startRedisServer()
const admin = await createClient({ url: server.url, RESP: 2 }).connect()
try {
  const result = await measureMemory(ctx, server, admin, peers, waitMs)
  console.log(JSON.stringify({ ...result, requested: peers }))
} finally {
  await admin.quit()
  await server.stop()
}
