import { describe, expect, it } from 'vitest'
import { formatAddress } from '../src/adapter/index.js'

describe('formatAddress', () => {
  it('writes host:port, brackets IPv6 hosts, and says unknown without an address', () => {
    expect(formatAddress('127.0.0.1', 80)).toBe('127.0.0.1:80')
    expect(formatAddress('::1', 80)).toBe('[::1]:80')
    expect(formatAddress(undefined, undefined)).toBe('unknown')
  })
})
