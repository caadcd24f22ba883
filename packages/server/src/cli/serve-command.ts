/**
 * `hb serve`: builds the config, starts the service, prints where the
 * dashboard is, and on SIGTERM or SIGINT shuts down gracefully (stop
 * accepting, close transports, flush webhooks within `shutdownTimeoutMs`)
 * and exits 0. A second signal during shutdown exits 1 at once.
 */
import { createHbServer } from '../server/create-hb-server.js'
import { createLogger } from '../logging/create-logger.js'
import { serveHelp } from './help-text.js'
import { loadServeConfig } from './load-serve-config.js'

export interface ServeIo {
  readonly env: NodeJS.ProcessEnv
  readonly stdout: (line: string) => void
}

/** Runs `hb serve`; resolves with the exit code once the service has stopped. */
export async function serveCommand(argv: readonly string[], io: ServeIo): Promise<number> {
  const { config, help } = loadServeConfig(argv, io.env)
  if (help) {
    io.stdout(serveHelp())
    return 0
  }
  const logger = createLogger({ level: config.logLevel ?? 'info', format: config.logFormat ?? 'json' })
  const server = createHbServer(config, { logger })
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })
  try {
    await server.start()
  } catch (error) {
    logger.fatal({ err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'cannot start')
    return 1
  }
  logger.info({ url: server.adminUrl() }, `dashboard at ${server.adminUrl()}/`)
  const signal = await stopped
  logger.info({ signal }, 'shutting down')
  const again = () => {
    logger.warn('second signal: exiting without waiting')
    process.exit(1)
  }
  process.once('SIGINT', again)
  process.once('SIGTERM', again)
  await server.close()
  return 0
}
