/** A section of Redis's INFO as an object of strings (`used_memory`, `total_commands_processed`, …). */
export async function info(client, section) {
  const text = String(await client.sendCommand(['INFO', section]))
  const fields = {}
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':')
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1)
  }
  return fields
}
