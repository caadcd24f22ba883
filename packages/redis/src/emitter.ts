/**
 * A small typed emitter: a listener that throws does not stop the others, and
 * `error` without a listener is dropped (Redis trouble is retried, not fatal).
 */
export interface Emitter<L extends Record<string, (...args: never[]) => void>> {
  on<E extends keyof L>(event: E, listener: L[E]): void
  off<E extends keyof L>(event: E, listener: L[E]): void
  emit<E extends keyof L>(event: E, ...args: Parameters<L[E]>): void
  clear(): void
}

export function createEmitter<L extends Record<string, (...args: never[]) => void>>(): Emitter<L> {
  const listeners = new Map<keyof L, Set<L[keyof L]>>()
  return {
    on(event, listener) {
      let set = listeners.get(event)
      if (set === undefined) listeners.set(event, (set = new Set()))
      set.add(listener)
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener)
    },
    emit(event, ...args) {
      const set = listeners.get(event)
      if (set === undefined) return
      for (const listener of [...set]) {
        try {
          ;(listener as (...a: Parameters<L[typeof event]>) => void)(...args)
        } catch (error) {
          // A listener's bug must not break the presence; surface it asynchronously.
          queueMicrotask(() => {
            throw error
          })
        }
      }
    },
    clear() {
      listeners.clear()
    },
  }
}
