/**
 * The receiving side of the http scenario, alone in its process:
 * `http-server.mjs hb|hb-every|hb-one-way|raw|echo|native|codeskyblue`, on 127.0.0.1, url in `info.url`.
 *
 * hb: a monitor with `createHttpServer` as its transport; each POST body is
 * one signed JSON beat, verified, replay-checked, recorded and answered with
 * the signed ack (200) when it asked for one, 204 with no body otherwise.
 * hb-every: the same monitor, loaded with beats that all ask.
 * hb-one-way: the same with `acks: false`, answering 204 with no body.
 * raw: the count-only baseline, `node:http` answering every request 204 and
 * nothing else (the unread body is discarded by Node itself).
 * echo: the acking baseline, `node:http` answering every request 200 with a
 * JSON body the size of hb's ack (made once, no crypto per request).
 * native / codeskyblue (the codeskyblue scenario): one plain `node:http`
 * server each, with `createHttpHandler(monitor)` / `createCodeskyblueHandler(monitor)`
 * as its request handler, so the two differ only in the protocol spoken.
 */
import { createServer } from 'node:http'
import { createMonitor } from '@hb/core'
import { createCodeskyblueHandler, createHttpHandler, createHttpServer } from '@hb/http'
import { SECRET, ackSizedReply } from '../lib/frames.mjs'
import { serveParent } from '../lib/serve.mjs'

const mode = process.argv[2]

async function startHb({ acks }) {
  const transport = createHttpServer({ host: '127.0.0.1', port: 0 })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 300_000, acks, transports: [transport] })
  await monitor.start()
  return {
    url: transport.address().url,
    count: () => monitor.stats().accepted,
    stats: () => ({ ...monitor.stats(), peers: monitor.size }),
    close: () => monitor.close(),
  }
}

async function startMounted({ legacy }) {
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 300_000 })
  await monitor.start()
  const handler = legacy ? createCodeskyblueHandler(monitor) : createHttpHandler(monitor)
  const server = createServer((request, response) => handler(request, response))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    count: () => monitor.stats().accepted,
    stats: () => ({ ...monitor.stats(), peers: monitor.size }),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await monitor.close()
    },
  }
}

async function startRaw({ echo }) {
  let count = 0
  const reply = ackSizedReply('json')
  const server = createServer(echo
    ? (_request, response) => {
        count++
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length })
        response.end(reply)
      }
    : (_request, response) => {
        count++
        response.statusCode = 204
        response.end()
      })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    count: () => count,
    stats: () => ({ requests: count }),
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

const server = mode === 'raw' || mode === 'echo'
  ? await startRaw({ echo: mode === 'echo' })
  : mode === 'native' || mode === 'codeskyblue'
    ? await startMounted({ legacy: mode === 'codeskyblue' })
    : await startHb({ acks: mode !== 'hb-one-way' })
serveParent(
  {
    count: () => server.count(),
    stats: () => server.stats(),
    cpu: () => process.cpuUsage(),
  },
  { url: server.url, mode },
  () => server.close(),
)
