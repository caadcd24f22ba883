/**
 * How a case is registered with the injected runner: with a teardown that
 * closes whatever it opened, even when it fails, and skipped (with the
 * reason in its name) when the transport's capabilities say it does not
 * apply.
 */
import { createCaseContext } from './harness.js'
import type { CaseBody } from './harness.js'
import type { ConformanceTestApi, ResolvedConformance } from './options.js'

/** Says why a case does not apply to a transport, or false when it does. */
export type SkipWhen = (conf: ResolvedConformance) => string | false

/** Registers one case of the suite. */
export type Register = (name: string, body: CaseBody, skipWhen?: SkipWhen) => void

export function createRegister(t: ConformanceTestApi, conf: ResolvedConformance): Register {
  return (name, body, skipWhen) => {
    const reason = skipWhen?.(conf)
    if (reason !== undefined && reason !== false) {
      // Without a skip function (a plain script), a case that does not apply is simply not run.
      t.it.skip?.(`${name} (skipped: ${reason})`, () => undefined)
      return
    }
    t.it(
      name,
      async () => {
        const { context, teardown } = createCaseContext(conf, t.expect)
        try {
          await body(context)
        } finally {
          await teardown()
        }
      },
      // A case waits on a few events in a row, each with its own deadline.
      conf.waitMs * 4,
    )
  }
}
