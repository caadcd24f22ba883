/**
 * What the study's network and peers do: independent loss, a long-tailed
 * one-way delay, the beater's interval jitter, and GC-like pauses on the peer.
 * Every number is a parameter so a reader can re-run the table with their own.
 */
import { normalUpperQuantile, normalUpperTail } from './normal-distribution.js'
import type { Random } from './random.js'

export interface DelayModel {
  /** Fixed part of every one-way delay (propagation), ms. */
  readonly baseMs: number
  /** Median of the lognormal queueing part, ms. */
  readonly medianMs: number
  /** σ of the lognormal's logarithm. */
  readonly sigma: number
  /** Probability that a packet also meets a spike (bufferbloat, a retransmitting link): Pareto extra delay. */
  readonly spikeProbability: number
  readonly spikeMinimumMs: number
  readonly spikeAlpha: number
  /** No packet is delayed more than this, ms. */
  readonly maxMs: number
}

export interface PauseModel {
  /** GC-like stop-the-world pauses on the peer, Poisson, per hour. */
  readonly perHour: number
  /** Pareto duration: scale and shape, capped. */
  readonly minimumMs: number
  readonly alpha: number
  readonly maxMs: number
}

export interface NetworkModel {
  /** Independent loss probability of each packet (beats, acks, probes, answers alike). */
  readonly lossRate: number
  /** The beater's jitter: each interval is drawn from intervalMs × [1 − jitter/2, 1 + jitter/2] (the beater's default is 0.1). */
  readonly jitter: number
  readonly delay: DelayModel
  readonly pauses: PauseModel
}

/**
 * The study's default network: a typical internet path (5 ms + lognormal with
 * median 15 ms, p99 ≈ 80 ms), one packet in a thousand hit by a Pareto spike
 * of at least 200 ms (α 1.5: one in 30 000 waits over 2 s), and a GC-like
 * pause on the peer every 5 minutes (20 ms and up, α 1.5, up to 3 s).
 */
export const defaultDelay: DelayModel = {
  baseMs: 5,
  medianMs: 15,
  sigma: 0.7,
  spikeProbability: 1e-3,
  spikeMinimumMs: 200,
  spikeAlpha: 1.5,
  maxMs: 20_000,
}

export const defaultPauses: PauseModel = { perHour: 12, minimumMs: 20, alpha: 1.5, maxMs: 3000 }

export function networkWithLoss(lossRate: number): NetworkModel {
  return { lossRate, jitter: 0.1, delay: defaultDelay, pauses: defaultPauses }
}

/** Delay sampling split at a threshold, so "late" packets can be drawn directly. */
export interface DelaySampler {
  /** P(delay > thresholdMs). */
  readonly lateProbability: number
  readonly thresholdMs: number
  readonly minimumMs: number
  /** Any delay. */
  any(): number
  /** A delay ≤ thresholdMs. */
  onTime(): number
  /** A delay > thresholdMs. */
  late(): number
}

export function createDelaySampler(model: DelayModel, thresholdMs: number, random: Random): DelaySampler {
  const mu = Math.log(model.medianMs)
  const body = (): number => model.baseMs + Math.exp(mu + model.sigma * random.normal())
  const capped = (value: number): number => Math.min(value, model.maxMs)
  const spiked = (): number => capped(body() + random.pareto(model.spikeMinimumMs, model.spikeAlpha))
  const any = (): number => (random.next() < model.spikeProbability ? spiked() : capped(body()))

  // P(body > threshold) in closed form; P(spiked > threshold) by sampling once.
  const z0 = thresholdMs > model.baseMs ? (Math.log(thresholdMs - model.baseMs) - mu) / model.sigma : Number.NEGATIVE_INFINITY
  const bodyLate = z0 === Number.NEGATIVE_INFINITY ? 1 : normalUpperTail(z0)
  let spikedLateCount = 0
  const samples = 200_000
  for (let i = 0; i < samples; i++) if (spiked() > thresholdMs) spikedLateCount++
  const spikedLate = spikedLateCount / samples
  const lateFromBody = (1 - model.spikeProbability) * bodyLate
  const lateFromSpike = model.spikeProbability * spikedLate
  const lateProbability = lateFromBody + lateFromSpike
  const onTimeFromSpike = model.spikeProbability * (1 - spikedLate)
  const onTimeProbability = 1 - lateProbability

  return {
    lateProbability,
    thresholdMs,
    minimumMs: model.baseMs,
    any,
    onTime() {
      if (random.next() * onTimeProbability < onTimeFromSpike) {
        for (;;) {
          const value = spiked()
          if (value <= thresholdMs) return value
        }
      }
      for (;;) {
        const value = capped(body())
        if (value <= thresholdMs) return value
      }
    },
    late() {
      if (random.next() * lateProbability < lateFromSpike) {
        for (;;) {
          const value = spiked()
          if (value > thresholdMs) return value
        }
      }
      // Inverse CDF on the lognormal's upper tail beyond z0.
      const z = normalUpperQuantile(bodyLate * random.nextOpen())
      return capped(model.baseMs + Math.exp(mu + model.sigma * Math.max(z, z0)))
    },
  }
}
