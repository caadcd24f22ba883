/**
 * The http load generator, alone in its process: autocannon, driven
 * programmatically so that every request carries its own pre-signed frame.
 *
 * autocannon repeats one body, which a monitor rightly rejects as a replay
 * after the first. Here `prepare` signs a pool of JSON beats (many peers
 * round-robin, increasing seqs, fresh timestamps) and autocannon's
 * `setupRequest` hands out the next one for each request. With P peers and C
 * connections, two beats of one peer are P requests apart, so they cannot
 * overtake each other on the C connections (P ≫ C). Once the pool is used up
 * it starts over: the baseline does not look at bodies, and a monitor would
 * answer 409, which shows in `non2xx` (the pool is sized so it does not happen).
 * Each beat asks for an ack as a beater with the given `ackEvery` would
 * (PROTOCOL.md §6.3): hb answers those 200 with a signed ack, the others 204.
 */
import { createHmac } from 'node:crypto'
import autocannon from 'autocannon'
import { SECRET, asksForAck, checkAgainstCore, createFrameMaker, peerId } from '../lib/frames.mjs'
import { serveParent } from '../lib/serve.mjs'

checkAgainstCore()
const makers = { json: createFrameMaker('json'), binary: createFrameMaker('binary') }
let frames = []

/**
 * Legacy beats of github.com/codeskyblue/heartbeat's Go client (a form of
 * `identifier`, `timestamp`, `messageMAC`), for the codeskyblue endpoint: each
 * peer beats with the server seconds of now, which the endpoint accepts again
 * and again while its session is live (the Go client repeats the seconds of
 * the last answer the same way).
 */
function prepareLegacy({ count, peers, prefix }) {
  const started = performance.now()
  frames = new Array(count)
  const seconds = String(Math.floor(Date.now() / 1000))
  const byPeer = new Map()
  for (let k = 0; k < count; k++) {
    const identifier = peerId(prefix, k % peers)
    let body = byPeer.get(identifier)
    if (body === undefined) {
      const mac = createHmac('sha256', SECRET).update(`${seconds}:${identifier}`).digest('hex')
      body = Buffer.from(`identifier=${identifier}&timestamp=${seconds}&messageMAC=${mac}`)
      byPeer.set(identifier, body)
    }
    frames[k] = body
  }
  return { count, signMs: performance.now() - started }
}

function prepare({ count, peers, prefix, incarnation, ackEvery, legacy = false, encoding = 'json' }) {
  if (legacy) return prepareLegacy({ count, peers, prefix })
  const make = makers[encoding]
  const started = performance.now()
  frames = new Array(count)
  let timestampMs = Date.now()
  for (let k = 0; k < count; k++) {
    if ((k & 4095) === 0) timestampMs = Date.now()
    const index = k % peers
    const seq = Math.floor(k / peers)
    const ackRequested = asksForAck(index, seq, ackEvery)
    frames[k] = Buffer.from(make({ type: 'beat', peerId: peerId(prefix, index), keyId: '', incarnation, seq, timestampMs, ackRequested }))
  }
  return { count, signMs: performance.now() - started }
}

async function run({ url, connections, durationMs, contentType = 'application/json' }) {
  let next = 0
  const pool = frames
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const result = await autocannon({
    url,
    connections,
    duration: durationMs / 1000,
    method: 'POST',
    headers: { 'content-type': contentType },
    requests: [
      {
        method: 'POST',
        setupRequest(request) {
          request.body = pool[next++ % pool.length]
          return request
        },
      },
    ],
  })
  const elapsedMs = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  frames = []
  return {
    elapsedMs,
    // autocannon's own measure: from its first request to the end of the run.
    ok2xxPerSecond: result['2xx'] / result.duration,
    requestsSent: next,
    poolSize: pool.length,
    poolWrapped: next > pool.length,
    total: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    averagePerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    generatorCpuShare: (cpu.user + cpu.system) / 1000 / elapsedMs,
  }
}

serveParent({ prepare, run })
