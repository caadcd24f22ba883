// Knows when the demo's real sockets have nothing in flight, so a test on a fake clock
// moves time only once every frame sent has arrived: the demo then tells the same story
// whatever the machine's speed. It wraps the demo's server and client transports and
// counts, without changing a byte:
// - frames a client sent that the server has not yet received;
// - replies (acks) the server sent to a client still open that it has not yet received;
// - connects, closes and server starts still in progress;
// - connection links: the server's open links against its clients' open connections,
//   so a client's dropped connection has reached the server before time moves on.
import { createWaiter, settle } from '@hb/core/testing'

const key = (bytes) => Buffer.from(bytes).toString('base64')

export function createSocketMeter() {
  const waiter = createWaiter()
  /** Frame (by its bytes) → the client that sent it, until the server receives it. */
  const toServer = new Map()
  const clients = new Set()
  const serverLinks = new Map()
  let busy = 0
  let delivered = 0

  const track = async (promise) => {
    busy++
    try {
      return await promise
    } finally {
      busy--
      waiter.notify()
    }
  }

  function meterServer(server) {
    return {
      get name() { return server.name },
      get kind() { return server.kind },
      address: () => server.address(),
      close: () => track(server.close()),
      start(handler, options) {
        serverLinks.set(server.name, 0)
        const links = (change) => {
          serverLinks.set(server.name, serverLinks.get(server.name) + change)
          waiter.notify()
        }
        return track(server.start({
          onFrame(frame) {
            const sender = toServer.get(key(frame.bytes))
            toServer.delete(key(frame.bytes))
            delivered++
            waiter.notify()
            const metered = {
              bytes: frame.bytes,
              remoteAddress: frame.remoteAddress,
              reply(bytes) {
                if (sender !== undefined && !sender.closed) sender.replies.add(key(bytes))
                frame.reply(bytes)
              },
            }
            if (frame.link !== undefined) metered.link = frame.link
            return handler.onFrame(metered)
          },
          onLinkUp(link) {
            links(+1)
            handler.onLinkUp(link)
          },
          onLinkDown(link) {
            links(-1)
            handler.onLinkDown(link)
          },
          onRejected: (rejection) => handler.onRejected(rejection),
        }, options))
      },
    }
  }

  function meterClient(client) {
    const state = { name: client.name, kind: client.kind, closed: false, connected: false, replies: new Set() }
    clients.add(state)
    const down = () => {
      state.connected = false
      waiter.notify()
    }
    const metered = {
      get name() { return client.name },
      get kind() { return client.kind },
      get encoding() { return client.encoding },
      async connect(handler, options) {
        await track(client.connect({
          onFrame(bytes) {
            state.replies.delete(key(bytes))
            waiter.notify()
            handler.onFrame(bytes)
          },
          onLinkDown(error) {
            down()
            handler.onLinkDown(error)
          },
        }, options))
        state.connected = true
        waiter.notify()
      },
      send(bytes) {
        toServer.set(key(bytes), state)
        return client.send(bytes).catch((error) => {
          toServer.delete(key(bytes))
          waiter.notify()
          throw error
        })
      },
      close() {
        state.closed = true
        state.replies.clear()
        down()
        return track(client.close())
      },
    }
    if (client.disconnect !== undefined) metered.disconnect = () => client.disconnect()
    return metered
  }

  function quiet() {
    if (busy > 0 || toServer.size > 0) return false
    for (const client of clients) if (!client.closed && client.replies.size > 0) return false
    for (const [name, links] of serverLinks) {
      let open = 0
      for (const client of clients) if (client.name === name && client.kind === 'connection' && client.connected) open++
      if (links !== open) return false
    }
    return true
  }

  return {
    /** Wraps `{ name: serverTransport }`. */
    servers: (servers) => Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, meterServer(server)])),
    /** Wraps a `createTransport(name, address)` factory. */
    clients: (createTransport) => (name, address) => meterClient(createTransport(name, address)),
    /**
     * Resolves once nothing is in flight, still so after one more turn of the event
     * loop (what a finished connect or close sets off, a hello or the story's next
     * step, has then started); rejects after `ms` of real time.
     */
    async settled(ms = 5000) {
      const deadline = performance.now() + ms
      for (;;) {
        await waiter.until(quiet, 'the demo\'s sockets to have nothing in flight', Math.max(1, Math.ceil(deadline - performance.now())))
        await settle()
        if (quiet()) return
      }
    },
    /** Frames the servers received. */
    get delivered() {
      return delivered
    },
  }
}
