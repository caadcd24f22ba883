/**
 * The standard normal's upper tail and its inverse, for sampling a lognormal
 * delay conditioned on being above a threshold (inverse-CDF sampling: a
 * rejection sampler would throw away 30 000 draws per kept one).
 */

/** Q(z) = P(Z > z), from erfc (Numerical Recipes' erfcc, fractional error < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2
  const ax = Math.abs(x)
  const t = 1 / (1 + 0.5 * ax)
  const erfcAbs =
    t *
    Math.exp(
      -ax * ax -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  const erfc = x >= 0 ? erfcAbs : 2 - erfcAbs
  return erfc / 2
}

// Acklam's rational approximation of the normal quantile (relative error < 1.15e-9).
const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]

/** z such that P(Z > z) = tail, for tail in (0, 1). */
export function normalUpperQuantile(tail: number): number {
  return -normalQuantile(tail)
}

function normalQuantile(p: number): number {
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  }
  if (p > 1 - low) return -normalQuantile(1 - p)
  const q = p - 0.5
  const r = q * q
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
}
