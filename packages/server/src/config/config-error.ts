/**
 * Bad configuration or command-line input. The CLI prints its message as one
 * line and exits with code 2; `createHbServer` throws it to embedders. Its
 * message names the input (a flag, a variable, a file key) and never contains
 * a secret.
 */
import { HeartbeatError } from '@hb/core'

/** A configuration error: `HeartbeatError` with code `HB_ERR_CONFIG`. */
export function configError(message: string): HeartbeatError {
  return new HeartbeatError('HB_ERR_CONFIG', message)
}

/** True for the errors the CLI reports as bad input (exit code 2). */
export function isConfigError(error: unknown): boolean {
  return HeartbeatError.isInstance(error) && error.code === 'HB_ERR_CONFIG'
}
