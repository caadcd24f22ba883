/**
 * What the numbers were measured on: written next to every result, since a
 * ratio means little without the machine (and its noise) behind it.
 */
import { cpus, freemem, loadavg, totalmem, release, platform, arch } from 'node:os'
import { readFileSync } from 'node:fs'
import { createHmac, hash } from 'node:crypto'
import { verifyHmacSha256 } from '@hb/core/protocol'

function readOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return fallback
  }
}

/** CPU flags that change what hashing costs: SHA extensions and the vector widths. */
const FLAGS_THAT_MATTER = ['sha_ni', 'avx2', 'avx512f']

/** Which of `FLAGS_THAT_MATTER` the CPU has (Linux: /proc/cpuinfo; elsewhere: unknown). */
export function cpuFlags() {
  const line = readOr('/proc/cpuinfo', '').split('\n').find((l) => /^(flags|Features)\s*:/.test(l))
  if (line === undefined) return { known: false }
  const present = new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/))
  return { known: true, ...Object.fromEntries(FLAGS_THAT_MATTER.map((flag) => [flag, present.has(flag)])) }
}

/** "sha_ni avx2 avx512f" (the ones present, "-flag" for the absent), for a report line. */
export function formatCpuFlags(flags) {
  if (!flags.known) return 'flags unknown'
  return FLAGS_THAT_MATTER.map((flag) => (flags[flag] ? flag : `-${flag}`)).join(' ')
}

/**
 * The HMAC measurement behind core's per-process choice, repeated here so the
 * results say what this CPU measured: best-of-batches ns per MAC of a
 * beat-sized message (43 bytes) for core's `verifyHmacSha256` (the path
 * core's own calibration picked in this process: its JavaScript midstates
 * unless native was ≥ 20% faster), two one-shot `crypto.hash` calls over precomputed pads (core's
 * native path), and `createHmac` per message. Alternated, 40 rounds of 256.
 */
export function measureHmac() {
  const key = new TextEncoder().encode('hb-bench-secret, not for production use')
  const message = new Uint8Array(43).map((_, i) => i * 7)
  const inner = Buffer.alloc(64 + message.length, 0x36)
  const outer = Buffer.alloc(96, 0x5c)
  for (let i = 0; i < key.length; i++) {
    inner[i] ^= key[i]
    outer[i] ^= key[i]
  }
  const mac = createHmac('sha256', key).update(message).digest()
  const paths = {
    core: () => verifyHmacSha256(key, message, mac),
    nodeHashTwice: () => {
      inner.set(message, 64)
      outer.set(hash('sha256', inner, 'buffer'), 64)
      return hash('sha256', outer, 'buffer')
    },
    nodeCreateHmac: () => createHmac('sha256', key).update(message).digest(),
  }
  const best = Object.fromEntries(Object.keys(paths).map((name) => [name, Infinity]))
  for (let round = 0; round < 40; round++) {
    for (const [name, run] of Object.entries(paths)) {
      const started = performance.now()
      for (let i = 0; i < 256; i++) run()
      best[name] = Math.min(best[name], ((performance.now() - started) * 1e6) / 256)
    }
  }
  const fastest = Object.entries(best).sort((a, b) => a[1] - b[1])[0][0]
  return { nsPerMac: best, fastest }
}

export function describeMachine() {
  const list = cpus()
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpuFlags: cpuFlags(),
    hmac: measureHmac(),
    cores: list.length,
    memoryBytes: totalmem(),
    freeMemoryBytesAtStart: freemem(),
    loadAverageAtStart: loadavg(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()} ${arch()}`,
    udpReceiveBufferMaxBytes: Number(readOr('/proc/sys/net/core/rmem_max', 'NaN')),
    openFilesLimit: readOr('/proc/self/limits', '').split('\n').find((l) => l.startsWith('Max open files'))?.replace(/\s+/g, ' ') ?? 'unknown',
    date: new Date().toISOString(),
  }
}
