/**
 * `@hb/core/protocol`: the wire format of PROTOCOL.md as functions, for tools,
 * tests in other languages, and adapters that speak a legacy protocol (the
 * codeskyblue/heartbeat endpoint of `@hb/http` reaches its HMAC here): frame
 * codecs, signing and verification, HMAC, key resolution, the freshness and
 * replay rules.
 * Applications need none of this: `createMonitor` and `createBeater` do it.
 */

// Frames
export type { DecodeResult, Frame, FrameFields, FrameType } from './wire/frame.js'
export { DEFAULT_MAX_FRAME_BYTES, intervalForTimeout, MAC_BYTES, PROTOCOL_VERSION, TIMEOUT_TO_INTERVAL } from './wire/frame.js'
export { decodeBinaryFrame, encodeBinaryFrame, encodeCanonical } from './wire/binary-codec.js'
export { decodeJsonFrame, encodeJsonFrame } from './wire/json-codec.js'
export { decodeFrame } from './wire/decode-frame.js'

// Signing and verification
export { signFrame, signFrameWeb } from './signing/frame-signer.js'
export { verifyFrame, verifyFrameWeb } from './signing/frame-verifier.js'
export type { VerifyResult } from './signing/frame-verifier.js'
export { hmacSha256, verifyHmacSha256 } from './signing/hmac.js'
export { hmacSha256Web, verifyHmacSha256Web } from './signing/hmac-web.js'
export { deriveKeyWeb } from './signing/derive-key-web.js'
export { createKeyResolver } from './signing/key-resolver.js'
export type { KeyResolver } from './signing/key-resolver.js'
export { isKeyRing } from './signing/key-ring.js'

// Freshness and replay
export { checkFreshness, createReplayWindow } from './signing/replay-window.js'
export type { FreshnessVerdict, ReplayWindow } from './signing/replay-window.js'
