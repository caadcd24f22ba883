/**
 * A seeded pseudo-random source for the study and the fault proxy: the same
 * seed gives the same run, so a table can be re-run and compared number for
 * number. xoshiro128** (Blackman and Vigna) on 32-bit integers, 53-bit doubles.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in (0, 1]: safe under a logarithm. */
  nextOpen(): number
  /** Failures before the first success of a Bernoulli(p) trial: 0, 1, 2, … */
  geometricFailures(p: number): number
  /** Standard normal (Box–Muller, one value per call). */
  normal(): number
  /** Pareto with scale `minimum` and shape `alpha`. */
  pareto(minimum: number, alpha: number): number
}

/** splitmix32 turns any seed into a well-mixed state word. */
function splitmix32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x9e3779b9) >>> 0
    let z = a
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** Creates a seeded random source. */
export function createRandom(seed: number): Random {
  const mix = splitmix32(seed)
  let s0 = mix()
  let s1 = mix()
  let s2 = mix()
  let s3 = mix()
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = (s1 << 9) >>> 0
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 11)
    return result
  }

  const next = (): number => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992

  return {
    next,
    nextOpen: () => 1 - next(),
    geometricFailures(p) {
      if (p >= 1) return 0
      if (p <= 0) return Number.POSITIVE_INFINITY
      return Math.floor(Math.log(1 - next()) / Math.log1p(-p))
    },
    normal() {
      return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
    },
    pareto(minimum, alpha) {
      return minimum * (1 - next()) ** (-1 / alpha)
    },
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
