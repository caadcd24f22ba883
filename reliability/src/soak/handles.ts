/**
 * Open handles by kind (sockets, servers, timers), from Node's own list, to
 * check that close() released everything a run opened.
 */
export function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return counts
}

/** Kinds whose count is above `baseline`, with how many more. */
export function handlesAbove(baseline: Map<string, number>): Record<string, number> {
  const extra: Record<string, number> = {}
  for (const [kind, count] of handleCounts()) {
    const more = count - (baseline.get(kind) ?? 0)
    if (more > 0) extra[kind] = more
  }
  return extra
}
