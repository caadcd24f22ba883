/**
 * The bounded search for the highest rate a receiver sustains, shared by the
 * paced scenarios (udp, tcp, ws). Both sides (baseline and hb) are searched at
 * once, one trial each in turn, so that noise on the machine hits both.
 *
 * A side's `trial(rate)` sends a paced load at `rate` for a fixed time and
 * resolves with `{ ok, achievedRate, generatorBound, … }`: `ok` when the
 * receiver took everything (zero loss, or caught up within the grace time);
 * `generatorBound` when the generator could not send at the asked rate. A
 * passing generator-bound trial counts at the rate really achieved, and makes
 * the side's result a lower bound (the receiver was not the limit); the
 * second one ends that side's search.
 *
 * Per side: double the rate while trials pass, then bisect (geometrically)
 * between the highest passing and the lowest failing rate until they are
 * within `precision` of each other or `maxTrials` ran out; finally run the
 * best passing rate again (`confirm` times) and step down if it fails now
 * (reported as unconfirmed if the lower rate fails too).
 */

function nextRate(side, growth) {
  if (side.hi === Infinity) return side.lo * growth
  if (side.lo === 0) return side.hi / growth
  return Math.sqrt(side.lo * side.hi)
}

async function step(side, rate, options) {
  const result = await side.trial(Math.round(rate))
  side.trials.push(result)
  options.log?.(`${side.name} @ ${Math.round(rate)}/s: ${result.ok ? 'ok' : 'FAIL'} ${result.summary ?? ''}`)
  return result
}

/**
 * `sides`: `[{ name, trial }]`. Resolves with, per side name:
 * `{ rate, confirmed, generatorBound, trials }` (`rate` 0: nothing passed).
 */
export async function searchMaxRate(sides, options) {
  const { startRate, growth = 2, precision = 1.1, maxTrials = 10, confirm = 1, minRate = 100 } = options
  const states = sides.map((side) => ({ ...side, lo: 0, hi: Infinity, next: startRate, trials: [], done: false, generatorBound: false }))

  while (states.some((s) => !s.done)) {
    for (const side of states.filter((s) => !s.done)) {
      const result = await step(side, side.next, options)
      const rate = side.next
      if (result.generatorBound) {
        // The generator fell short of the asked rate. Once may be noise; twice, it is its limit.
        side.generatorLimitHits = (side.generatorLimitHits ?? 0) + 1
        if (result.ok && result.achievedRate > side.lo) {
          side.lo = result.achievedRate
          side.generatorBound = true
        } else if (!result.ok) {
          side.hi = Math.min(side.hi, rate)
        }
        if (result.ok && side.generatorLimitHits >= 2) {
          side.done = true
          continue
        }
      } else if (result.ok) {
        side.lo = Math.max(side.lo, rate)
        if (side.lo === rate) side.generatorBound = false
      } else {
        side.hi = Math.min(side.hi, rate)
      }
      side.next = nextRate(side, growth)
      side.done =
        side.trials.length >= maxTrials ||
        (side.lo > 0 && side.hi / side.lo <= precision) ||
        (side.lo === 0 && side.next < minRate)
    }
  }

  for (let round = 0; round < confirm; round++) {
    for (const side of states.filter((s) => s.lo > 0 && !s.generatorBound)) {
      let result = await step(side, side.lo, options)
      if (!result.ok) {
        // Not reproducible: take one step down and keep that if it holds.
        side.lo /= precision * precision
        result = await step(side, side.lo, options)
      }
      side.confirmed = result.ok
    }
  }

  return Object.fromEntries(
    states.map((s) => [s.name, { rate: s.lo, confirmed: s.confirmed ?? null, generatorBound: s.generatorBound, trials: s.trials }]),
  )
}
