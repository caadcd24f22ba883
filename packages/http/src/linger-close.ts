/**
 * Closing a connection whose request body was not read, so that the client
 * still gets the answer (a 413 for a body over the limit, a 404, 405 or 415
 * for a request refused before its body).
 *
 * Node ends a `Connection: close` response with `socket.destroySoon()`: it
 * sends the FIN and closes the socket as soon as that is written. Closing a
 * socket with unread bytes (the rest of the body, still arriving) makes the
 * kernel send a reset, which can reach the client before it has read the
 * status: a raw-socket client or `fetch` still sending sees `ECONNRESET`
 * instead of the 413. So, as web servers do ("lingering close"): send the
 * answer and the FIN, keep reading and dropping whatever the client still
 * sends, and close when it hangs up or after a short, bounded grace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * How long a refused connection may keep sending after its answer: enough
 * for the answer to cross the network and the client to stop, short enough
 * that lingering connections cost little. Reading is bounded by this time,
 * never by buffering: the bytes are dropped as they come.
 */
export const LINGER_MS = 2000

/**
 * Call before writing a `Connection: close` answer to a request whose body
 * is not (or not entirely) read. Never throws.
 */
export function lingerAfterAnswer(req: IncomingMessage, res: ServerResponse, lingerMs = LINGER_MS): void {
  const socket = req.socket as IncomingMessage['socket'] | null
  if (socket === null || socket.destroyed) return
  // Replaces, on this socket only, Node's FIN-then-destroy with the FIN alone.
  socket.destroySoon = () => {
    if (socket.writable) socket.end()
  }
  res.once('finish', () => {
    if (socket.destroyed) return
    // Keep the rest of the body flowing, into nothing: the parser reads it and drops it.
    req.resume()
    // A socket-level grace, not a liveness deadline: it ends this connection whatever the
    // client does (an idle timer would let a client that keeps trickling keep it).
    // AbortSignal.timeout does not keep the process alive; the open socket does.
    const grace = AbortSignal.timeout(lingerMs)
    const end = (): void => void socket.destroy()
    grace.addEventListener('abort', end, { once: true })
    socket.once('close', () => grace.removeEventListener('abort', end))
  })
}
