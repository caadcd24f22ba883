/**
 * What the numbers were measured on: written next to every result, since a
 * ratio means little without the machine (and its noise) behind it.
 */
import { cpus, freemem, loadavg, totalmem, release, platform, arch } from 'node:os'
import { readFileSync } from 'node:fs'

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

export function describeMachine() {
  const list = cpus()
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpuFlags: cpuFlags(),
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
