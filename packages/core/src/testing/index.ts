/**
 * `@hb/core/testing`: what you need to test code that uses hb, and what every
 * transport adapter needs to test itself. Safe to import from plain scripts:
 * nothing here imports a test runner.
 */
export { createFakeClock } from './fake-clock.js'
export type { FakeClock, FakeClockOptions } from './fake-clock.js'
export { createMemoryTransportPair } from './memory-transport.js'
export type { MemoryClientTransport, MemoryTransportOptions, MemoryTransportPair } from './memory-transport.js'
export { transportConformance } from './conformance/index.js'
export type {
  ConformanceExpectation,
  ConformanceIt,
  ConformanceOptions,
  ConformanceTestApi,
  TransportCapabilities,
} from './conformance/index.js'
export { settle } from './settle.js'
export { createWaiter } from './waiter.js'
export type { Waiter } from './waiter.js'
export { recordMonitorEvents } from './monitor-recorder.js'
export type { MonitorRecorder, RecordedEvent } from './monitor-recorder.js'
