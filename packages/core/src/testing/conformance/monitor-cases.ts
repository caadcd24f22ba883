/**
 * The seam end to end ([W1]): a monitor and a beater over the transport, on
 * a fake clock, so the timeout is exact and the case takes no wall time
 * beyond the network's.
 */
import { createBeater } from '../../beater/beater.js'
import { createMonitor } from '../../monitor/monitor.js'
import { createFakeClock } from '../fake-clock.js'
import type { Register } from './register.js'

const SECRET = 'conformance-secret'

export function monitorCases(register: Register): void {
  register('W1 carries a monitor and a beater: online, offline by timeout (never early, within a tick), online again', async (context) => {
    const { conf, expect, until, notify, defer } = context
    const clock = createFakeClock()
    const timeoutMs = 1000
    const tickMs = 50
    const server = conf.createServer()
    const monitor = createMonitor({ secret: SECRET, timeoutMs, tickMs, clock, transports: [server], maxFrameBytes: Math.max(conf.maxFrameBytes, 512) })
    defer(() => monitor.close())
    const events: string[] = []
    monitor.on('online', (peer) => (events.push(`online ${peer.id}`), notify()))
    monitor.on('offline', (peer, reason) => (events.push(`offline ${peer.id} ${reason}`), notify()))
    await monitor.start()
    const address = server.address()
    if (address === null) throw new Error(`${conf.name}: address() is null after monitor.start()`)
    const beat = (): ((options: { bye: boolean }) => Promise<void>) => {
      const beater = createBeater({ id: 'peer-1', secret: SECRET, transport: conf.createClient(address), intervalMs: 200, clock })
      const stop = beater.start()
      defer(() => stop({ bye: false }))
      return stop
    }
    const stop = beat()
    await until(() => events.includes('online peer-1'), 'online after the hello')
    expect(monitor.get('peer-1')?.transport).toBe(server.name)
    await stop({ bye: false })
    // Its hello at 0 was its last frame: offline no earlier than timeoutMs, at most one tick after.
    clock.advance(timeoutMs - 1)
    expect(events.includes('offline peer-1 timeout')).toBe(false)
    clock.advance(1 + tickMs)
    expect(events.includes('offline peer-1 timeout')).toBe(true)
    beat()
    await until(() => events.filter((event) => event === 'online peer-1').length === 2, 'online again')
    expect(monitor.get('peer-1')?.state).toBe('alive')
  })
}
