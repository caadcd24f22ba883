/**
 * tcp: 1000 connections, one peer each, beats one per write: the highest
 * paced rate a monitor on `@hb/tcp` keeps up with, vs a `node:net` server
 * that only counts length-prefixed frames. In three modes (default, `ackEvery: 1`
 * vs an echo server, one-way); see lib/stream-scenario.mjs.
 */
import { runStreamScenario } from '../lib/stream-scenario.mjs'

export const run = (ctx) => runStreamScenario(ctx, 'tcp', { targets: { hb: 0.8, hbEvery: 0.8, hbOneWay: 0.9 }, baselineUnit: 'frames/s' })
