/**
 * The φ accrual failure detector (Hayashibara, Défago, Yared, Katayama,
 * "The φ Accrual Failure Detector", SRDS 2004), in the variant Akka and
 * Cassandra use: the normal CDF is replaced by a logistic approximation, and
 * an acceptable pause is added to the mean.
 *
 * Differences from those implementations, all for a million peers per
 * process:
 * - O(1) memory per peer: a running mean and variance in three
 *   `Float64Array` slots, not a window of 1000 samples;
 * - the deadlines are closed-form (a cubic solved once, at construction),
 *   not found by evaluating φ repeatedly.
 *
 * The formulas are written out in PROTOCOL.md §8.
 */
import type { Detector } from './detector.js'
import { configError } from '../errors/heartbeat-error.js'

export interface PhiAccrualOptions {
  /** φ at which the peer is dead (default 8: about one false verdict in 10⁸ under the model). */
  threshold?: number
  /** φ at which the peer is suspect (default threshold / 2). 0 < suspectThreshold < threshold. */
  suspectThreshold?: number
  /** Floor on σ, so perfectly regular beats do not make the detector hair-triggered (default 100). */
  minStdDevMs?: number
  /**
   * Added to the mean interval: a pause (GC, a lost beat, a network blip)
   * tolerated without suspicion. Default 3000, as Pekko's for 1 s beats: with
   * 0, every single lost beat was a false offline (34 per peer-hour at 1% loss
   * in the study in RELIABILITY.md; 8.9e-5 with 3000, dead peers still declared
   * in 4.1 s on average, 4.7 s at p99, at 1 s beats).
   */
  acceptablePauseMs?: number
  /** First interval estimate before any interval is measured (default 1000); a hello's interval hint overrides it. */
  firstIntervalMs?: number
  /** Intervals averaged with equal weight before the estimate turns into an exponential average of weight 1/maxSampleSize (default 1000). */
  maxSampleSize?: number
  /** Optional cap on deadAt − lastBeat, so a peer with a wild history is still declared dead in bounded time. */
  maxTimeoutMs?: number
}

// The logistic approximation of the standard normal CDF (Bowling et al. 2009,
// as used by Akka and Cassandra): F(y) ≈ 1 / (1 + e^(−g(y))), g(y) = y·(B + A·y²).
const A = 0.070566
const B = 1.5976

/** Per-peer slots, relative to the peer's offset. */
const COUNT = 0 // samples folded into the estimate, the bootstrap estimate counting as one
const MEAN = 1 // mean interval, ms
const VARIANCE = 2 // population variance of the interval, ms² (not Welford's M2: see observe)
const SLOTS = 3

const LN10 = Math.LN10

/** ln(1 + eˣ), without overflow for large x or loss for very negative x. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))
}

/** φ at standardised delay y: −log10(1 − F(y)) = ln(1 + e^g(y)) / ln 10. */
function phiAt(y: number): number {
  return softplus(y * (B + A * y * y)) / LN10
}

/**
 * The y at which φ reaches `threshold`, in closed form.
 *
 * φ(y) ≥ t ⇔ e^g(y) ≥ 10ᵗ − 1 ⇔ g(y) ≥ c with c = ln(10ᵗ − 1), and g is a
 * strictly increasing cubic, so the answer is the one real root of
 * A·y³ + B·y − c = 0. Divided by A it is the depressed cubic y³ + p·y + q = 0
 * with p = B/A > 0 and q = −c/A; its discriminant (q/2)² + (p/3)³ is
 * positive, so Cardano gives the single real root y = u + v with
 * u = ∛(−q/2 + √D) and v = ∛(−q/2 − √D). Computed as written, one of u, v
 * is the difference of two nearly equal numbers when |q| is large, so u is
 * taken on the side of −q/2's sign and v from u·v = −p/3 instead.
 */
function thresholdToY(threshold: number): number {
  // c = ln(10ᵗ − 1): for t >= 1 as t·ln10 + ln(1 − 10⁻ᵗ), which cannot overflow;
  // for small t through expm1, which keeps the digits of 10ᵗ − 1 near 0.
  const c = threshold >= 1 ? threshold * LN10 + Math.log1p(-(10 ** -threshold)) : Math.log(Math.expm1(threshold * LN10))
  const p3 = B / A / 3
  const halfMinusQ = c / A / 2
  const root = Math.hypot(halfMinusQ, p3 * Math.sqrt(p3)) // √((q/2)² + (p/3)³) without overflow
  const u = Math.cbrt(halfMinusQ >= 0 ? halfMinusQ + root : halfMinusQ - root)
  return u - p3 / u
}

function positive(name: string, value: unknown, fallback: number): number {
  const resolved = value ?? fallback
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved <= 0) {
    throw configError(`${name} must be a finite number > 0, got ${String(value)}`)
  }
  return resolved
}

/**
 * A φ accrual detector. Three slots per peer: sample count, mean interval
 * and interval variance. Throws `HB_ERR_CONFIG` on bad options.
 */
export function phiAccrual(options: PhiAccrualOptions = {}): Detector {
  if (typeof options !== 'object' || options === null) throw configError('phiAccrual options must be an object')
  const threshold = positive('threshold', options.threshold, 8)
  const suspectThreshold = positive('suspectThreshold', options.suspectThreshold, threshold / 2)
  if (!(suspectThreshold < threshold)) {
    throw configError(`suspectThreshold must be < threshold (${threshold}), got ${suspectThreshold}`)
  }
  const minStdDevMs = positive('minStdDevMs', options.minStdDevMs, 100)
  const firstIntervalMs = positive('firstIntervalMs', options.firstIntervalMs, 1000)
  const acceptablePauseMs = options.acceptablePauseMs ?? 3000
  if (typeof acceptablePauseMs !== 'number' || !Number.isFinite(acceptablePauseMs) || acceptablePauseMs < 0) {
    throw configError(`acceptablePauseMs must be a finite number >= 0, got ${String(options.acceptablePauseMs)}`)
  }
  const maxSampleSize = options.maxSampleSize ?? 1000
  if (typeof maxSampleSize !== 'number' || !Number.isSafeInteger(maxSampleSize) || maxSampleSize < 1) {
    throw configError(`maxSampleSize must be an integer >= 1, got ${String(options.maxSampleSize)}`)
  }
  const maxSpanMs =
    options.maxTimeoutMs === undefined ? Number.POSITIVE_INFINITY : positive('maxTimeoutMs', options.maxTimeoutMs, 0)

  // Standardised delays of the two thresholds: constants of the detector.
  const deadY = thresholdToY(threshold)
  const suspectY = thresholdToY(suspectThreshold)

  const stdDev = (state: Float64Array, offset: number): number =>
    Math.max(Math.sqrt(state[offset + VARIANCE]!), minStdDevMs)

  /** deadAt − lastBeat or suspectAt − lastBeat: Δ = μ + pause + σ·y, within [0, maxTimeoutMs]. */
  const span = (state: Float64Array, offset: number, y: number): number => {
    const delta = state[offset + MEAN]! + acceptablePauseMs + stdDev(state, offset) * y
    return Math.min(Math.max(delta, 0), maxSpanMs)
  }

  return Object.freeze({
    kind: 'phi-accrual',
    stateSlots: SLOTS,

    // Akka's bootstrap: before any interval is measured, assume one interval
    // of the estimate with σ = estimate / 4. It is entered as one sample
    // (count 1) that carries its own variance, so the first real interval
    // already moves the mean halfway. An unusable hint (not finite, <= 0) is
    // ignored rather than thrown: it comes off the wire.
    reset(state: Float64Array, offset: number, _nowMs: number, intervalHintMs: number | undefined) {
      const estimate =
        intervalHintMs !== undefined && Number.isFinite(intervalHintMs) && intervalHintMs > 0
          ? intervalHintMs
          : firstIntervalMs
      const bootstrapStdDev = estimate / 4
      state[offset + COUNT] = 1
      state[offset + MEAN] = estimate
      state[offset + VARIANCE] = bootstrapStdDev * bootstrapStdDev
    },

    // Welford's update, kept as a variance rather than M2: with n the new
    // count and w = 1/n, mean += w·δ and variance = (1 − w)(variance + w·δ²),
    // which is exactly Welford's M2/n. Once n reaches maxSampleSize, w stays
    // at 1/maxSampleSize: the same formula is then the exponentially weighted
    // mean and variance, so the estimate keeps adapting without a seam.
    // A negative or non-finite interval (impossible with a monotonic clock)
    // is dropped so that it cannot poison the slots.
    observe(state: Float64Array, offset: number, lastBeatMs: number, nowMs: number) {
      const interval = nowMs - lastBeatMs
      if (!(interval >= 0) || interval === Number.POSITIVE_INFINITY) return
      const count = state[offset + COUNT]! + 1
      const weight = 1 / Math.min(count, maxSampleSize)
      const mean = state[offset + MEAN]!
      const deviation = interval - mean
      state[offset + COUNT] = count
      state[offset + MEAN] = mean + weight * deviation
      state[offset + VARIANCE] = (1 - weight) * (state[offset + VARIANCE]! + weight * deviation * deviation)
    },

    suspectAt(state: Float64Array, offset: number, lastBeatMs: number) {
      // suspectY < deadY and the clamp is monotone, so this is never after deadAt.
      return lastBeatMs + span(state, offset, suspectY)
    },

    deadAt(state: Float64Array, offset: number, lastBeatMs: number) {
      return lastBeatMs + span(state, offset, deadY)
    },

    suspicion(state: Float64Array, offset: number, lastBeatMs: number, nowMs: number) {
      const elapsed = Math.max(0, nowMs - lastBeatMs)
      return phiAt((elapsed - state[offset + MEAN]! - acceptablePauseMs) / stdDev(state, offset))
    },
  })
}
