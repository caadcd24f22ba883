#!/usr/bin/env node
/**
 * hb's own cost per beat on the receiving side, without sockets: a monitor
 * with a stub datagram transport is fed pre-signed frames through `onFrame`
 * (what a server adapter does), replies discarded. Prints ns per beat for
 * one-way, the default ack schedule (every 3rd beat asks) and every beat
 * asking, alternating modes. For profiling hot paths:
 *   node bench/ingest-micro.mjs [--peers 10000] [--beats 1000000] [--encoding binary|json] [--profile PREFIX]
 */
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createMonitor } from '@hb/core'
import { SECRET, asksForAck, createFrameMaker, peerId } from './lib/frames.mjs'

const { values } = parseArgs({ options: { peers: { type: 'string', default: '10000' }, beats: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' }, profile: { type: 'string' }, encoding: { type: 'string', default: 'binary' } } })
const peers = Number(values.peers)
const beats = Number(values.beats)
const make = createFrameMaker(values.encoding)
const profiles = []
let session
if (values.profile !== undefined) {
  session = new Session()
  session.connect()
  await session.post('Profiler.enable')
}

function stubTransport() {
  let handler
  return {
    transport: {
      name: 'stub', kind: 'datagram',
      async start(h) { handler = h },
      address: () => ({ host: '127.0.0.1', port: 1, family: 'IPv4' }),
      async close() {},
    },
    handler: () => handler,
  }
}

function framesFor(ackEvery, prefix) {
  const now = Date.now()
  const frames = new Array(beats)
  for (let k = 0; k < beats; k++) {
    const index = k % peers
    const seq = Math.floor(k / peers)
    frames[k] = make({ type: 'beat', peerId: peerId(prefix, index), keyId: '', incarnation: now, seq, timestampMs: now, ackRequested: asksForAck(index, seq, ackEvery) })
  }
  return frames
}

async function measure(mode, ackEvery) {
  const stub = stubTransport()
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 300_000, transports: [stub.transport], acks: mode !== 'one-way' })
  await monitor.start()
  const frames = framesFor(ackEvery, mode[0])
  const handler = stub.handler()
  let replies = 0
  const reply = () => { replies++ }
  if (session !== undefined) await session.post('Profiler.start')
  const started = process.cpuUsage()
  const t0 = performance.now()
  for (let k = 0; k < frames.length; k++) handler.onFrame({ bytes: frames[k], remoteAddress: '127.0.0.1:40000', reply })
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(started)
  if (session !== undefined) profiles.push((await session.post('Profiler.stop')).profile)
  const accepted = monitor.stats().accepted
  await monitor.close()
  if (accepted !== beats) throw new Error(`${mode}: accepted ${accepted} of ${beats}`)
  return { mode, nsPerBeat: (wallMs * 1e6) / beats, cpuNsPerBeat: ((cpu.user + cpu.system) * 1e3) / beats, replies }
}

const modes = [['one-way', 0], ['default', 3], ['every', 1]]
const results = Object.fromEntries(modes.map(([m]) => [m, []]))
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [mode, ackEvery] of modes) results[mode].push(await measure(mode, ackEvery))
}
for (const [mode, list] of Object.entries(results)) {
  const ns = list.map((r) => r.nsPerBeat).sort((a, b) => a - b)
  console.log(`${mode.padEnd(8)} ${ns[Math.floor(ns.length / 2)].toFixed(0)} ns/beat (runs ${ns.map((x) => x.toFixed(0)).join(' ')}), replies ${list[0].replies}`)
}
if (session !== undefined) {
  // One profile per measured loop, written side by side: <prefix>-<n>.cpuprofile.
  profiles.forEach((profile, n) => writeFileSync(`${values.profile}-${n}.cpuprofile`, JSON.stringify(profile)))
}
