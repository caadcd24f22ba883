import { describe, expect, it } from 'vitest'
import { createRemoteAddresses, packIPv4Address, unpackIPv4Address } from '../src/monitor/remote-addresses.js'

describe('remote addresses', () => {
  it.each([
    ['127.0.0.1:80', true],
    ['0.0.0.0:0', true],
    ['255.255.255.255:65535', true],
    ['10.1.2.3:5000', true],
    ['256.0.0.1:80', false],
    ['1.2.3.4:65536', false],
    ['01.2.3.4:80', false],
    ['1.2.3:80', false],
    ['1.2.3.4.5:80', false],
    ['1.2.3.4', false],
    ['1.2.3.4:', false],
    ['[::1]:80', false],
    ['memory:3.1', false],
    ['', false],
    ['unknown', false],
  ])('%s packs exactly: %s', (address, packs) => {
    const packed = packIPv4Address(address)
    expect(packed >= 0).toBe(packs)
    if (packs) expect(unpackIPv4Address(packed)).toBe(address)
  })

  it('keeps any address, packed or not, and forgets it on clear', () => {
    const remotes = createRemoteAddresses(2)
    remotes.set(0, '10.0.0.1:7946')
    remotes.set(5, '[::1]:7946')
    expect(remotes.get(0)).toBe('10.0.0.1:7946')
    expect(remotes.get(5)).toBe('[::1]:7946')
    expect(remotes.get(3)).toBeUndefined()
    remotes.set(5, '192.168.1.9:1')
    expect(remotes.get(5)).toBe('192.168.1.9:1')
    remotes.set(0, 'proxy-label')
    expect(remotes.get(0)).toBe('proxy-label')
    remotes.clear(0)
    expect(remotes.get(0)).toBeUndefined()
    expect(remotes.get(99)).toBeUndefined()
  })
})
