#!/usr/bin/env node
/**
 * API reports: one `etc/<name>.api.md` per entry point of every published package,
 * made by Microsoft's API Extractor from the `.d.ts` files tsup built. A report is
 * the package's public surface as one reviewable file, so every public change
 * shows up in a pull request's diff.
 *
 *   node scripts/api-report.mjs [dir...]            check: fails, printing the diff, when a report is out of date
 *   node scripts/api-report.mjs --update [dir...]   rewrite the reports (`pnpm api`)
 *
 * With no dir, every `packages/*` whose package.json is not private. Entry points
 * come from the package.json `exports` (the `import.types` of each subpath), so a
 * new package or subpath needs no change here: its check fails until `pnpm api`
 * wrote its first report. Names: `core.api.md` for `@hb/core`, `core-testing.api.md`
 * for `@hb/core/testing`.
 *
 * Any API Extractor message fails the run; see `messages` below for the one that is
 * silenced and why. Needs the packages built (`pnpm build`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const update = args.includes('--update')
const dirs = args.filter((a) => !a.startsWith('--')).map((d) => resolve(d))

const messages = {
  compilerMessageReporting: { default: { logLevel: 'error', addToApiReportFile: false } },
  extractorMessageReporting: {
    default: { logLevel: 'error', addToApiReportFile: false },
    // Release tags (@public, @beta, ...) drive API Extractor's report variants and
    // .d.ts trimming, which hb does not use: everything exported is public, and
    // what is not for applications lives on a subpath instead. Noise here.
    'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
    // Off by default in API Extractor; the report marks each undocumented member
    // `// (undocumented)` anyway, which is where a reviewer should see it.
    'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
    // Judged below, per package: a type another entry point of the same package
    // exports is reachable (the root's `ServerTransport` is spelled out in
    // `@hb/core/adapter`); a type no entry point exports is a real bug.
    'ae-forgotten-export': { logLevel: 'warning', addToApiReportFile: false },
  },
  // TSDoc's strict grammar (escape every `>`, no `@` inside `@hb/core`, one-line
  // code spans) is for API Documenter sites, which hb does not build; the doc
  // comments are written for editors' hovers, and the report holds no doc text.
  tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
}

/** Every published package's folder: `packages/*` with a package.json that is not private. */
function publishedPackages() {
  const packagesDir = join(root, 'packages')
  return readdirSync(packagesDir)
    .map((name) => join(packagesDir, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true)
    .sort()
}

/** The package's entry points: `{ reportName, typesPath }` for each `exports` subpath with types. */
function entryPoints(dir, pkg) {
  const unscoped = pkg.name.replace(/^@[^/]+\//, '')
  const entries = []
  for (const [subpath, target] of Object.entries(pkg.exports ?? { '.': { import: { types: pkg.types } } })) {
    const types = typeof target === 'object' ? target?.import?.types ?? target?.types : undefined
    if (typeof types !== 'string') continue // ./package.json and other non-code exports
    const suffix = subpath === '.' ? '' : `-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`
    entries.push({ subpath, reportName: `${unscoped}${suffix}`, typesPath: join(dir, types) })
  }
  return entries
}

function diff(committedPath, freshPath) {
  // git is there wherever the repository is; diff -u where it is not.
  const git = spawnSync('git', ['diff', '--no-index', '--no-color', '--', relative(root, committedPath), freshPath], { cwd: root, encoding: 'utf8' })
  if (git.error === undefined && git.status !== null) return git.stdout
  const plain = spawnSync('diff', ['-u', committedPath, freshPath], { encoding: 'utf8' })
  return plain.error === undefined ? plain.stdout : readFileSync(freshPath, 'utf8')
}

/** Names a report declares with `export`: what its entry point makes public. */
function exportedNames(reportPath) {
  if (!existsSync(reportPath)) return []
  const text = readFileSync(reportPath, 'utf8')
  return [...text.matchAll(/^export (?:declare )?(?:abstract )?(?:function|interface|type|const|let|class|enum|namespace) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1])
}

/** Runs API Extractor on one entry point; `forgotten` collects the symbols it references but does not export. */
function run(dir, entry, tempFolder, forgotten) {
  const pkgPath = join(dir, 'package.json')
  const reportFolder = join(dir, 'etc')
  const problems = []
  if (update) mkdirSync(reportFolder, { recursive: true })
  if (!existsSync(entry.typesPath)) {
    return [`${relative(root, entry.typesPath)} is missing: build first (pnpm build)`]
  }
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(dir, 'api-extractor.json'), // virtual: the config lives here, in code
    packageJsonFullPath: pkgPath,
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: entry.typesPath,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'NodeNext', moduleResolution: 'NodeNext',
            strict: true, skipLibCheck: true, types: ['node'],
          },
          files: [entry.typesPath],
        },
      },
      apiReport: { enabled: true, reportFileName: entry.reportName, reportFolder, reportTempFolder: tempFolder },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages,
    },
  })
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback(message) {
      message.handled = true
      if (message.logLevel === 'none' || message.logLevel === 'verbose') return
      // The report-changed warning is ours to explain, with the diff, below.
      if (message.messageId === 'console-api-report-changed' || message.messageId === 'console-api-report-created') return
      if (message.messageId === 'console-api-report-not-copied' || message.messageId === 'console-api-report-copied') return
      if (message.messageId === 'console-api-report-unchanged') return
      if (message.logLevel === 'info') return
      if (message.messageId === 'ae-forgotten-export') {
        const symbol = /The symbol "([^"]+)"/.exec(message.text)?.[1] ?? message.text
        const where = message.sourceFilePath ? `${relative(root, message.sourceFilePath)}:${message.sourceFileLine}` : '?'
        forgotten.push({ symbol, where })
        return
      }
      const where = message.sourceFilePath ? ` (${relative(root, message.sourceFilePath)}:${message.sourceFileLine})` : ''
      problems.push(`${message.messageId}: ${message.text}${where}`)
    },
  })
  const committed = join(reportFolder, `${entry.reportName}.api.md`)
  const fresh = join(tempFolder, `${entry.reportName}.api.md`)
  if (!update && result.apiReportChanged && problems.length === 0) {
    problems.push(
      existsSync(committed)
        ? `${relative(root, committed)} is out of date: run \`pnpm api\` and commit it\n${diff(committed, fresh)}`
        : `${relative(root, committed)} does not exist: run \`pnpm api\` and commit it`,
    )
  }
  // Warnings (the forgotten exports judged by the caller) also clear `succeeded`; errors are what count here.
  if (result.errorCount > 0 && problems.length === 0) problems.push(`API Extractor failed (${result.errorCount} errors)`)
  return { problems, report: update ? committed : fresh }
}

let failed = 0
const tempFolder = mkdtempSync(join(tmpdir(), 'hb-api-'))
try {
  for (const dir of dirs.length > 0 ? dirs : publishedPackages()) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const results = entryPoints(dir, pkg).map((entry) => {
      const forgotten = []
      return { entry, forgotten, ...run(dir, entry, tempFolder, forgotten) }
    })
    // A type the public API uses must be importable from some entry point of the package.
    const exported = new Set(results.flatMap((r) => exportedNames(r.report)))
    for (const { forgotten, problems } of results) {
      for (const { symbol, where } of forgotten) {
        if (!exported.has(symbol)) {
          problems.push(`ae-forgotten-export: "${symbol}" is used by the API of this entry point but exported by no entry point of ${pkg.name} (${where})`)
        }
      }
    }
    for (const { entry, problems } of results) {
      const label = `${pkg.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`
      if (problems.length === 0) {
        console.log(`api ${update ? 'written' : 'ok'}  ${label}  ${relative(root, join(dir, 'etc', `${entry.reportName}.api.md`))}`)
      } else {
        failed += 1
        console.error(`api FAILED  ${label}\n${problems.map((p) => `  ${p}`).join('\n')}`)
      }
    }
  }
} finally {
  rmSync(tempFolder, { recursive: true, force: true })
}
if (failed > 0) {
  console.error(`\n${failed} API report(s) failed; \`pnpm api\` rewrites the reports once the exports are right.`)
  process.exit(1)
}

