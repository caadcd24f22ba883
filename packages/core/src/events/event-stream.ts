/**
 * Events as an async iterator (`for await (const event of monitor.events())`),
 * with a bounded buffer: a consumer that falls more than `highWaterMark`
 * events behind gets an `HB_ERR_OVERFLOW` error from the iterator instead of
 * the process growing without bound or events vanishing silently.
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'

export interface EventStreamOptions {
  /** Ends the iterator (it returns `done`) when aborted. */
  signal?: AbortSignal
  /** Most events buffered for a slow consumer before the iterator fails. Default 10 000. */
  highWaterMark?: number
}

export interface EventStreamSink<T> {
  push(event: T): void
  end(): void
}

export function createEventStream<T>(
  options: EventStreamOptions,
  onDone: () => void,
): { iterator: AsyncIterableIterator<T>; sink: EventStreamSink<T> } {
  const highWaterMark = options.highWaterMark ?? 10_000
  const buffer: T[] = []
  let head = 0
  let waiting: ((result: IteratorResult<T>) => void) | undefined
  let done = false
  let failure: HeartbeatError | undefined

  const finish = (): void => {
    if (done) return
    done = true
    options.signal?.removeEventListener('abort', finish)
    onDone()
    if (waiting !== undefined && failure === undefined) {
      const resolve = waiting
      waiting = undefined
      resolve({ value: undefined, done: true })
    }
  }

  const sink: EventStreamSink<T> = {
    push(event) {
      if (done) return
      if (waiting !== undefined) {
        const resolve = waiting
        waiting = undefined
        resolve({ value: event, done: false })
        return
      }
      if (buffer.length - head >= highWaterMark) {
        failure = new HeartbeatError('HB_ERR_OVERFLOW', `event consumer fell more than ${highWaterMark} events behind`)
        finish()
        return
      }
      buffer.push(event)
    },
    end: finish,
  }

  if (options.signal?.aborted === true) finish()
  else options.signal?.addEventListener('abort', finish, { once: true })

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (head < buffer.length) {
        const value = buffer[head] as T
        head++
        if (head > 1024 && head * 2 > buffer.length) {
          buffer.splice(0, head)
          head = 0
        }
        return Promise.resolve({ value, done: false })
      }
      if (failure !== undefined) {
        const error = failure
        failure = undefined
        return Promise.reject(error)
      }
      if (done) return Promise.resolve({ value: undefined, done: true })
      return new Promise((resolve) => {
        waiting = resolve
      })
    },
    return() {
      finish()
      return Promise.resolve({ value: undefined, done: true })
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return { iterator, sink }
}
