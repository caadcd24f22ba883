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

export function describeMachine() {
  const list = cpus()
  return {
    cpuModel: list[0]?.model ?? 'unknown',
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
