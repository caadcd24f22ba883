/**
 * The child side of `children.mjs`: answers the parent's calls with the given
 * handlers, exits when the parent goes away or asks, and exits by itself
 * after its hard limit, whatever it is doing.
 */

/**
 * Serves `handlers` (`{ command: async (payload) => value }`) and tells the
 * parent it is ready, with `info`. `onExit` runs before a clean exit (close
 * sockets, so nothing lingers).
 */
export function serveParent(handlers, info = {}, onExit = async () => {}) {
  const limitMs = Number(process.env.BENCH_CHILD_LIMIT_MS ?? 120_000)
  const limit = setTimeout(() => {
    console.error(`[bench] ${process.argv[1]} hit its hard limit of ${limitMs} ms, exiting`)
    process.exit(70)
  }, limitMs)
  limit.unref()

  let exiting = false
  const exit = async (code) => {
    if (exiting) return
    exiting = true
    try {
      await Promise.race([onExit(), new Promise((resolve) => setTimeout(resolve, 2_000))])
    } finally {
      process.exit(code)
    }
  }

  process.on('disconnect', () => void exit(0))
  process.on('message', async (message) => {
    if (message?.type === 'exit') return void exit(0)
    if (message?.type !== 'call') return
    const handler = handlers[message.command]
    try {
      if (handler === undefined) throw new Error(`unknown command ${message.command}`)
      const value = await handler(message.payload ?? {})
      if (process.connected) process.send({ type: 'reply', id: message.id, ok: true, value })
    } catch (error) {
      if (process.connected) process.send({ type: 'reply', id: message.id, ok: false, error: String(error?.stack ?? error) })
    }
  })
  process.send({ type: 'ready', info })
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now()

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Polls `read()` every `everyMs` until it reaches `target`, or until it has
 * not moved for `stallMs`, or `maxMs` passed. Resolves with the last value,
 * when (relative to the call, ms) it last moved, and the wall time (`wallNow`)
 * of the poll that saw it reach the target.
 */
export async function waitForCount(read, { target, everyMs = 5, stallMs = 300, maxMs = 10_000 }) {
  const start = performance.now()
  let last = read()
  let lastMoveAt = 0
  for (;;) {
    if (last >= target) return { value: last, lastMoveAt, reached: true, reachedAtWall: wallNow() }
    const now = performance.now() - start
    if (now - lastMoveAt > stallMs || now > maxMs) return { value: last, lastMoveAt, reached: false }
    await sleep(everyMs)
    const value = read()
    if (value !== last) {
      last = value
      lastMoveAt = performance.now() - start
    }
  }
}
