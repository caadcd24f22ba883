/**
 * A minimal typed event emitter that runs in Node and in browsers (the beater
 * is bundled into a browser WebSocket client, so `node:events` is not an option).
 *
 * A listener that throws must not break the socket handler that emitted the
 * event: the error is rethrown on a microtask, where it surfaces as an
 * uncaught exception (as a throwing EventEmitter listener would) instead of
 * unwinding the core mid-update.
 */

// Listener maps are written as `{ online: (peer: Peer) => void, … }`.
export type ListenerMap = { [event: string]: (...args: never[]) => void }

export interface TypedEmitter<L extends ListenerMap> {
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof L & string>(event: E, listener: L[E]): () => void
  /** Adds a listener that runs at most once; returns a function that removes it. */
  once<E extends keyof L & string>(event: E, listener: L[E]): () => void
  /** Removes a listener added with `on` or `once`. */
  off<E extends keyof L & string>(event: E, listener: L[E]): void
  /** How many listeners an event has. */
  listenerCount(event: keyof L & string): number
}

export interface EmitterCore<L extends ListenerMap> extends TypedEmitter<L> {
  emit<E extends keyof L & string>(event: E, ...args: Parameters<L[E]>): void
  removeAll(): void
}

export function createEmitter<L extends ListenerMap>(): EmitterCore<L> {
  // Arrays are replaced, never mutated, so removing a listener during emit is safe.
  const listeners = new Map<string, ReadonlyArray<(...args: unknown[]) => void>>()
  const wrappers = new WeakMap<object, (...args: unknown[]) => void>()

  function add(event: string, fn: (...args: unknown[]) => void): void {
    listeners.set(event, [...(listeners.get(event) ?? []), fn])
  }
  function remove(event: string, fn: (...args: unknown[]) => void): void {
    const current = listeners.get(event)
    if (current === undefined) return
    const wrapped = wrappers.get(fn) ?? fn
    const index = current.findIndex((l) => l === fn || l === wrapped)
    if (index < 0) return
    const next = current.slice(0, index).concat(current.slice(index + 1))
    if (next.length === 0) listeners.delete(event)
    else listeners.set(event, next)
  }

  const emitter: EmitterCore<L> = {
    on(event, listener) {
      const fn = listener as unknown as (...args: unknown[]) => void
      add(event, fn)
      return () => remove(event, fn)
    },
    once(event, listener) {
      const fn = listener as unknown as (...args: unknown[]) => void
      const wrapper = (...args: unknown[]): void => {
        remove(event, wrapper)
        fn(...args)
      }
      wrappers.set(fn, wrapper)
      add(event, wrapper)
      return () => remove(event, wrapper)
    },
    off(event, listener) {
      remove(event, listener as unknown as (...args: unknown[]) => void)
    },
    listenerCount(event) {
      return listeners.get(event)?.length ?? 0
    },
    emit(event, ...args) {
      const current = listeners.get(event)
      if (current === undefined) return
      for (const fn of current) {
        try {
          fn(...args)
        } catch (error) {
          queueMicrotask(() => {
            throw error
          })
        }
      }
    },
    removeAll() {
      listeners.clear()
    },
  }
  return emitter
}
