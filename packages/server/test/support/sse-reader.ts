/**
 * Reads a server-sent-events stream in tests: `next()` resolves with the next
 * message (comments skipped), failing after a deadline instead of hanging.
 */
export interface SseMessage {
  readonly id: string | undefined
  readonly event: string
  readonly data: string
}

export interface SseReader {
  readonly status: number
  next(ms?: number): Promise<SseMessage>
  close(): void
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController()
  const response = await fetch(url, { headers, signal: controller.signal })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const queue: SseMessage[] = []

  function parse(block: string): SseMessage | undefined {
    let id: string | undefined
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'id') id = value
      else if (field === 'event') event = value
      else if (field === 'data') data.push(value)
    }
    return data.length === 0 && id === undefined ? undefined : { id, event, data: data.join('\n') }
  }

  return {
    status: response.status,
    async next(ms = 5000) {
      const signal = AbortSignal.timeout(ms)
      while (queue.length === 0) {
        const timeout = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no event within ${ms} ms`)), { once: true }))
        const { value, done } = await Promise.race([reader.read(), timeout])
        if (done) throw new Error('the stream ended')
        buffer += value
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const message = parse(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          if (message !== undefined) queue.push(message)
        }
      }
      return queue.shift()!
    },
    close() {
      controller.abort()
    },
  }
}
