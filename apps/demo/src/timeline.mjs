// Prints the demo's timeline: one aligned line per event, time since start first.
const styles = { online: 32, recover: 32, suspect: 33, offline: 31, rejected: 35, note: 36 }

/**
 * `now()` is the demo's clock (ms), `print` where lines go, `colors` whether to
 * paint them with ANSI codes.
 */
export function createTimeline({ now, print = console.log, colors = false }) {
  const paint = (code, text) => (colors ? `\u001b[${code}m${text}\u001b[0m` : text)
  const started = now()
  const stamp = () => `${((now() - started) / 1000).toFixed(2).padStart(6)} s`
  return {
    event(kind, id, detail = '') {
      print(`${stamp()}  ${paint(styles[kind] ?? 0, kind.padEnd(8))} ${id.padEnd(14)} ${detail}`)
    },
    note(text) {
      print(`${stamp()}  ${paint(styles.note, '──')} ${text}`)
    },
    table(rows) {
      for (const row of rows) print(`           ${row}`)
    },
  }
}
