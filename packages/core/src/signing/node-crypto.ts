/**
 * node:crypto, reached through `process.getBuiltinModule` instead of a static
 * import, so a browser bundle of the beater (which runs on WebCrypto) does not
 * need a node:crypto shim. In Node (≥ 20.16) it is the real module; in a browser
 * it is `undefined`, and the callers fall back to or ask for WebCrypto.
 */
import type * as NodeCryptoModule from 'node:crypto'

export type NodeCrypto = typeof NodeCryptoModule

export const nodeCrypto: NodeCrypto | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined

/** The module, or a clear error where there is none (a browser). */
export function requireNodeCrypto(what: string): NodeCrypto {
  if (nodeCrypto === undefined) {
    throw new Error(`${what} needs node:crypto, which this runtime does not have; use the WebCrypto variant`)
  }
  return nodeCrypto
}
