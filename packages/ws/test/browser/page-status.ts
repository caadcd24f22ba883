/**
 * What the browser test's page publishes as `window.hbStatus`, shared by the
 * page (which writes it) and the test (which reads it through Playwright).
 */
export interface PageStatus {
  /** Acks the beater accepted, each one checked in the page by `crypto.subtle.verify`. */
  acks: number
  /** Times the beater connected (the first connect included). */
  connects: number
  /** Calls to `crypto.subtle.sign`: how the page's frames were signed. */
  subtleSigns: number
  /** Calls to `crypto.subtle.verify`: how the server's acks were checked. */
  subtleVerifies: number
  /** Whether a `process` global exists; in a browser it does not, so @hb/core cannot reach node:crypto. */
  hasProcess: boolean
  /** WebCrypto needs a secure context: https, or http on localhost / 127.0.0.1. */
  isSecureContext: boolean
  /** The beater's `error` events and anything the page threw, as `code: message`. */
  errors: string[]
}
