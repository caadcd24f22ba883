/**
 * Options shared by the UDP server and client, and their validation. Checked
 * when the transport is created, so a typo fails at startup, not at the first
 * datagram.
 */
import { isIPv6 } from 'node:net'
import { HeartbeatError } from '@hb/core'

/** `udp4` or `udp6`, as `node:dgram` names socket types. */
export type UdpSocketType = 'udp4' | 'udp6'

/** Socket options common to both sides. */
export interface UdpSocketOptions {
  /**
   * `udp4` or `udp6`. Default: `udp6` when the host is an IPv6 literal (`::1`,
   * `::`, `fe80::1%eth0`), `udp4` otherwise; give it for a host name that only
   * resolves to IPv6.
   */
  type?: UdpSocketType
  /** SO_RCVBUF in bytes: raise it for bursts of many peers (the OS may cap it). Default: the OS default. */
  recvBufferSize?: number
  /** SO_SNDBUF in bytes. Default: the OS default. */
  sendBufferSize?: number
  /**
   * Told about every socket error (ICMP port unreachable, a failed reply, …).
   * Errors never close the socket or throw; they are counted in `stats().errors`.
   * Must not throw (if it does, that is ignored too).
   */
  onError?: (error: HeartbeatError) => void
}

function fail(message: string): never {
  throw new HeartbeatError('HB_ERR_CONFIG', message)
}

/** Throws `HB_ERR_CONFIG` unless `value` is an integer port (0 only where allowed). */
export function checkPort(value: unknown, allowZero: boolean): number {
  const min = allowZero ? 0 : 1
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65_535) {
    fail(`port must be an integer from ${min} to 65535, got ${String(value)}`)
  }
  return value
}

/** Throws `HB_ERR_CONFIG` unless the host is a non-empty string. */
export function checkHost(value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(`host must be a non-empty string, got ${String(value)}`)
  return value
}

/** The socket type to use for `host`, validating an explicit one. */
export function socketTypeFor(host: string, type: unknown): UdpSocketType {
  if (type === undefined) return isIPv6(host) ? 'udp6' : 'udp4'
  if (type !== 'udp4' && type !== 'udp6') fail(`type must be 'udp4' or 'udp6', got ${String(type)}`)
  return type
}

/** Validates the shared socket options. */
export function checkSocketOptions(options: UdpSocketOptions): void {
  for (const name of ['recvBufferSize', 'sendBufferSize'] as const) {
    const value = options[name]
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      fail(`${name} must be a positive integer, got ${String(value)}`)
    }
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') fail('onError must be a function')
}
