/**
 * The service's logger: pino, JSON lines by default, or pretty lines for a
 * terminal. Keys that could hold a secret are redacted by pino itself, as a
 * second line of defence: the code never passes secrets to the logger.
 */
import { pino } from 'pino'
import type { DestinationStream, Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger } from 'pino'

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly level: string
  readonly format: 'json' | 'pretty'
  /** Where lines go. Default standard output. */
  readonly destination?: DestinationStream
}

const redact = {
  paths: ['secret', 'masterKey', 'adminToken', 'webhookSecret', 'token', 'authorization', '*.secret', '*.masterKey', '*.adminToken', '*.webhookSecret', '*.authorization', 'headers.authorization'],
  censor: '[redacted]',
}

/** A pino logger named `hb`. */
export function createLogger(options: LoggerOptions): Logger {
  const base = { name: 'hb', level: options.level, redact }
  if (options.format === 'pretty') {
    return pino(base, pretty({ colorize: process.stdout.isTTY === true, sync: true, destination: 1, ignore: 'pid,hostname' }))
  }
  return options.destination === undefined ? pino(base) : pino(base, options.destination)
}
