/**
 * How the plain `node:net` baselines split a stream of length-prefixed frames
 * (a 4-byte big-endian length, then the frame), as a user would write it:
 * concatenate the leftover with the new chunk, walk the prefixes. `onFrame`
 * gets the buffer and the frame's bounds, so a count-only receiver pays for no
 * view it does not need.
 */
export function onLengthPrefixedFrames(socket, onFrame) {
  let pending = Buffer.alloc(0)
  socket.on('data', (chunk) => {
    const buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let offset = 0
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset)
      if (buffer.length - offset - 4 < length) break
      onFrame(buffer, offset + 4, offset + 4 + length)
      offset += 4 + length
    }
    pending = buffer.subarray(offset)
  })
}
