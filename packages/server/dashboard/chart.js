// The chart: online peers (left axis) and RTT p50/p99 (right axis) over time, drawn on a
// canvas. A few hundred points at most, redrawn whole on each sample: cheap at any peer count.

const colors = { alive: '#1a7f37', p50: '#0969da', p99: '#8250df', grid: '#d0d7de', text: '#57606a' }

function niceMax(value) {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

function line(context, points, x, y, color) {
  context.strokeStyle = color
  context.lineWidth = 1.5
  context.beginPath()
  let started = false
  for (const point of points) {
    if (point.value === null) { started = false; continue }
    const px = x(point.at)
    const py = y(point.value)
    if (started) context.lineTo(px, py)
    else context.moveTo(px, py)
    started = true
  }
  context.stroke()
}

/** Draws `samples` (oldest first, as /api/summary and `sample` events give them) on `canvas`. */
export function drawChart(canvas, samples) {
  const ratio = globalThis.devicePixelRatio || 1
  const width = canvas.clientWidth || canvas.width
  const height = canvas.clientHeight || canvas.height
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio)
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio)
  const context = canvas.getContext('2d')
  context.setTransform(ratio, 0, 0, ratio, 0, 0)
  context.clearRect(0, 0, width, height)
  context.font = '11px system-ui, sans-serif'
  const pad = { left: 48, right: 56, top: 10, bottom: 20 }
  if (samples.length === 0) {
    context.fillStyle = colors.text
    context.fillText('waiting for the first sample…', pad.left, height / 2)
    return
  }
  const first = samples[0].at
  const last = Math.max(samples[samples.length - 1].at, first + 1)
  const peersMax = niceMax(Math.max(...samples.map((s) => s.byState.alive ?? 0)))
  const rttMax = niceMax(Math.max(0, ...samples.map((s) => s.rttP99Ms ?? 0)))
  const x = (at) => pad.left + ((at - first) / (last - first)) * (width - pad.left - pad.right)
  const yPeers = (value) => height - pad.bottom - (value / peersMax) * (height - pad.top - pad.bottom)
  const yRtt = (value) => height - pad.bottom - (value / rttMax) * (height - pad.top - pad.bottom)

  context.strokeStyle = colors.grid
  context.fillStyle = colors.text
  context.lineWidth = 1
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + (i / 4) * (height - pad.top - pad.bottom)
    context.beginPath()
    context.moveTo(pad.left, y)
    context.lineTo(width - pad.right, y)
    context.stroke()
    context.textAlign = 'right'
    context.fillText(String(Math.round(peersMax * (1 - i / 4))), pad.left - 6, y + 4)
    context.textAlign = 'left'
    context.fillText(`${(rttMax * (1 - i / 4)).toFixed(rttMax < 10 ? 1 : 0)} ms`, width - pad.right + 6, y + 4)
  }
  context.textAlign = 'left'
  context.fillText(new Date(first).toLocaleTimeString(), pad.left, height - 4)
  context.textAlign = 'right'
  context.fillText(new Date(last).toLocaleTimeString(), width - pad.right, height - 4)

  line(context, samples.map((s) => ({ at: s.at, value: s.byState.alive ?? 0 })), x, yPeers, colors.alive)
  line(context, samples.map((s) => ({ at: s.at, value: s.rttP50Ms })), x, yRtt, colors.p50)
  line(context, samples.map((s) => ({ at: s.at, value: s.rttP99Ms })), x, yRtt, colors.p99)
}
