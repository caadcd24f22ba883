// Prints the demo's timeline: one aligned line per event, time since start first.
const colors = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code, text) => (colors ? `\u001b[${code}m${text}\u001b[0m` : text)
const styles = { online: 32, recover: 32, suspect: 33, offline: 31, rejected: 35, note: 36 }

export function createTimeline(clock = () => performance.now()) {
  const started = clock()
  const stamp = () => `${((clock() - started) / 1000).toFixed(2).padStart(6)} s`
  return {
    event(kind, id, detail = '') {
      console.log(`${stamp()}  ${paint(styles[kind] ?? 0, kind.padEnd(8))} ${id.padEnd(14)} ${detail}`)
    },
    note(text) {
      console.log(`${stamp()}  ${paint(styles.note, '──')} ${text}`)
    },
    table(rows) {
      for (const row of rows) console.log(`           ${row}`)
    },
  }
}
