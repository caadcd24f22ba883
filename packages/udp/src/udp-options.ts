/**
 * The options only UDP has (socket type, socket buffer sizes, the error
 * callback) and their checks. Ports and hosts are checked with the adapter
 * kit's `checkPort`/`checkHost`, like every other transport's, when the
 * transport is created, so a typo fails at startup, not at the first datagram.
 */
import { isIPv6 } from 'node:net'
import { checkPositiveInteger, configError } from '@hb/core/adapter'
import type { HeartbeatError } from '@hb/core'

/** `udp4` or `udp6`, as `node:dgram` names socket types. */
export type UdpSocketType = 'udp4' | 'udp6'

/** Socket options common to both sides. */
export interface UdpSocketOptions {
  /**
   * `udp4` or `udp6`. Default: `udp6` when the host is an IPv6 literal (`::1`,
   * `::`, `fe80::1%eth0`), `udp4` otherwise; give it for a host name that only
   * resolves to IPv6, or for a server on every IPv6 (and, where the OS allows,
   * IPv4) interface.
   */
  type?: UdpSocketType
  /** SO_RCVBUF in bytes: raise it for bursts of many peers (the OS may cap it). Default: the OS default. */
  recvBufferSize?: number
  /** SO_SNDBUF in bytes. Default: the OS default. */
  sendBufferSize?: number
  /**
   * Told about every socket error (ICMP port unreachable, a failed reply, …),
   * wrapped in an `HB_ERR_TRANSPORT` with the socket error as `cause`. Errors
   * never close the socket or throw. Must not throw (if it does, that is
   * ignored too).
   */
  onError?: (error: HeartbeatError) => void
}

/**
 * The socket type to use for `host` (no host: `udp4`, every IPv4 interface,
 * as `node:dgram` binds it), validating an explicit one.
 */
export function socketTypeFor(host: string | undefined, type: unknown): UdpSocketType {
  if (type === undefined) return host !== undefined && isIPv6(host) ? 'udp6' : 'udp4'
  if (type !== 'udp4' && type !== 'udp6') throw configError(`type must be 'udp4' or 'udp6', got ${String(type)}`)
  return type
}

/** Validates the options UDP adds to every transport's (sizes stay `undefined` when absent: the OS default). */
export function checkSocketOptions(options: UdpSocketOptions): void {
  for (const name of ['recvBufferSize', 'sendBufferSize'] as const) {
    // The kit's check needs a fallback; absent stays absent here, so only present values go through it.
    if (options[name] !== undefined) checkPositiveInteger(name, options[name], 1)
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw configError('onError must be a function')
}
