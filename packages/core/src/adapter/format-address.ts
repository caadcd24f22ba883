/**
 * How hb shows a socket's address: `host:port`, with an IPv6 host in brackets
 * (`[::1]:7946`) so the port stays unambiguous.
 */

/** Formats a host and port as `host:port` (`[host]:port` for IPv6); `unknown` when the socket has no address any more. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined || port === undefined) return 'unknown'
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
