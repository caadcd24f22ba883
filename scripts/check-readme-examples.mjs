#!/usr/bin/env node
/**
 * Typechecks the README examples against the built packages, so an example cannot
 * drift from the API it shows. Checked: every ```ts block of README.md and
 * packages/*\/README.md whose first line is an `import` (a whole example; blocks
 * that continue an earlier one are fragments and are not checked). The few names
 * examples assume from around them (an Express-like `app`, a `secret`, …) are
 * declared below. Needs the packages built (`pnpm build`).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const assumed = `// What the README examples take from around them.
declare global {
  /** An Express-like app: a request listener with routes. */
  type Handler = (req: any, res: any, next?: (error?: unknown) => void) => void
  const app: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) & {
    get(path: string, handler: Handler): void
    post(path: string, handler: Handler): void
    all(path: string, handler: Handler): void
    use(handler: Handler): void
  }
  const secret: string
  const rawBody: string
  const req: { headers: Record<string, string | undefined> }
  /** The http.Server of the example before. */
  const http: import('node:http').Server
}
export {}
`

const readmes = ['README.md', ...readdirSync(join(root, 'packages')).map((name) => join('packages', name, 'README.md'))]
const dir = mkdtempSync(join(tmpdir(), 'hb-readme-'))
const files = []
const origin = new Map()
for (const readme of readmes.filter((file) => existsSync(join(root, file)))) {
  const text = readFileSync(join(root, readme), 'utf8')
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    if (!match[1].startsWith('import ')) continue
    const line = text.slice(0, match.index).split('\n').length + 1
    const file = join(dir, `${readme.replaceAll('/', '-')}-${line}.mts`)
    writeFileSync(file, match[1])
    files.push(file)
    origin.set(file, `${readme}:${line}`)
  }
}
writeFileSync(join(dir, 'assumed.d.ts'), assumed)
// The examples resolve what a user's project would have installed: every @hb package
// (through its package.json exports, as published) and what the packages depend on
// (prom-client, ws, …), linked into a node_modules next to them.
const modules = join(dir, 'node_modules')
for (const pkg of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', pkg, 'package.json')
  if (!existsSync(manifest)) continue
  const { name } = JSON.parse(readFileSync(manifest, 'utf8'))
  mkdirSync(dirname(join(modules, name)), { recursive: true })
  symlinkSync(join(root, 'packages', pkg), join(modules, name), 'dir')
}
for (const pkg of readdirSync(join(root, 'packages'))) {
  const own = join(root, 'packages', pkg, 'node_modules')
  if (!existsSync(own)) continue
  for (const entry of readdirSync(own)) {
    const names = entry.startsWith('@') ? readdirSync(join(own, entry)).map((n) => `${entry}/${n}`) : [entry]
    for (const name of names) {
      if (name.startsWith('.') || existsSync(join(modules, name))) continue
      mkdirSync(dirname(join(modules, name)), { recursive: true })
      symlinkSync(realpathSync(join(own, name)), join(modules, name), 'dir')
    }
  }
}

const program = ts.createProgram([...files, join(dir, 'assumed.d.ts')], {
  target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true,
  types: ['node'], typeRoots: [join(root, 'node_modules', '@types')],
})
const diagnostics = ts.getPreEmitDiagnostics(program)
rmSync(dir, { recursive: true, force: true })
for (const d of diagnostics) {
  const where = d.file ? `${origin.get(d.file.fileName) ?? relative(root, d.file.fileName)} (+${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line} lines)` : ''
  console.error(`readme example ${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}
if (diagnostics.length > 0) process.exit(1)
console.log(`readme examples ok: ${files.length} examples typechecked (${[...new Set([...origin.values()].map((o) => o.split(':')[0]))].join(', ')})`)
