// House rules a linter can hold (../shared/DESIGN.md, STYLE.md):
// - time is read and timers are armed only through core's Clock (clock.ts, and the
//   fake clock in testing/), so every deadline is testable with a fake clock;
// - node:crypto is imported only by core's signing module, so signing lives in one place.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const timerMessage = 'Timers and clocks go through the injected Clock (@hb/core clock.ts); deadlines belong to core.'

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**', 'bench-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', performance: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', queueMicrotask: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', URL: 'readonly', AbortController: 'readonly',
        AbortSignal: 'readonly', fetch: 'readonly', Request: 'readonly', Response: 'readonly', Headers: 'readonly',
        WebSocket: 'readonly', crypto: 'readonly', Buffer: 'readonly', globalThis: 'readonly', window: 'readonly',
        document: 'readonly', setImmediate: 'readonly', structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/core/src/time/clock.ts', 'packages/core/src/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: timerMessage },
        { name: 'setInterval', message: timerMessage },
        { name: 'setImmediate', message: timerMessage },
        { name: 'clearTimeout', message: timerMessage },
        { name: 'clearInterval', message: timerMessage },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: timerMessage },
        { object: 'performance', property: 'now', message: timerMessage },
        { object: 'globalThis', property: 'setTimeout', message: timerMessage },
        { object: 'globalThis', property: 'setInterval', message: timerMessage },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/core/src/signing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:crypto', message: 'Signing belongs to @hb/core src/signing/.' },
            { name: 'crypto', message: 'Signing belongs to @hb/core src/signing/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
