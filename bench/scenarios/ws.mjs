/**
 * ws: 1000 WebSocket connections, one peer each, one binary message per beat:
 * the highest paced rate a monitor on `@hb/ws` keeps up with, vs a `ws`
 * WebSocketServer that only counts messages. In three modes (default, `ackEvery: 1`
 * vs an echo server, one-way); see lib/stream-scenario.mjs.
 */
import { runStreamScenario } from '../lib/stream-scenario.mjs'

export const run = (ctx) => runStreamScenario(ctx, 'ws', { targets: { hb: 0.7, hbEvery: 0.7, hbOneWay: 0.85 }, baselineUnit: 'messages/s' })
