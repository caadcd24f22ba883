#!/usr/bin/env node
/**
 * The `hb` bin. Everything is in `cli/run-cli.ts`; this only binds it to the process.
 */
import { runCli } from './cli/run-cli.js'

void runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then((code) => process.exit(code))
