/* global sessionStorage, TextDecoderStream, URLSearchParams */
// The hb dashboard: counts, a chart, one page of peers and the recent transitions, kept live by
// the server-sent events of /api/events. The stream is read with fetch (not EventSource) so it
// can carry the admin token in a header; it resumes with Last-Event-ID after a drop.
// Only one page of peers (100 rows) is ever in the DOM, so 10,000 peers cost what 100 do.
import { drawChart } from './chart.js'

const pageSize = 100
const maxTimeline = 100
const maxSamples = 300
const $ = (id) => document.getElementById(id)

const state = {
  token: sessionStorage.getItem('hb-token') ?? undefined,
  lastEventId: undefined,
  offset: 0,
  total: 0,
  samples: [],
  rows: new Map(), // peer id → <tr> of the visible page
  transports: new Set(),
  reloadTimer: undefined,
}
// For tests and curious operators: what the page has seen.
globalThis.hbDashboard = { status: 'connecting', transitions: 0, pageLoads: 0 }

function setStatus(status) {
  globalThis.hbDashboard.status = status
  $('status').dataset.status = status
  $('status').textContent = status
}

function headers() {
  return state.token === undefined ? {} : { authorization: `Bearer ${state.token}` }
}

async function api(path) {
  const response = await fetch(path, { headers: headers() })
  if (response.status === 401) {
    askForToken()
    throw new Error('unauthorized')
  }
  if (!response.ok) throw new Error(`${path}: ${response.status}`)
  return response.json()
}

function askForToken() {
  setStatus('unauthorized')
  $('token-form').hidden = false
}

function ago(at) {
  const seconds = Math.max(0, (Date.now() - at) / 1000)
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  return `${Math.floor(seconds / 3600)} h ago`
}

function cell(text, className) {
  const td = document.createElement('td')
  td.textContent = text
  if (className) td.className = className
  return td
}

function fillRow(tr, peer) {
  tr.dataset.peerId = peer.id
  tr.dataset.state = peer.state
  tr.dataset.lastSeenAt = String(peer.lastSeenAt)
  tr.replaceChildren(
    cell(peer.id),
    cell(peer.state, 'state'),
    cell(peer.transport),
    cell(peer.rttMs === null ? '–' : `${peer.rttMs.toFixed(1)} ms`, 'num'),
    cell(ago(peer.lastSeenAt), 'seen'),
    cell(peer.address ?? '–'),
  )
  tr.title = `${peer.id} · suspicion ${peer.suspicion}`
}

function query() {
  const params = new URLSearchParams({ offset: String(state.offset), limit: String(pageSize) })
  const search = $('search').value.trim()
  if (search) params.set('q', search)
  if ($('state-filter').value) params.set('state', $('state-filter').value)
  if ($('transport-filter').value) params.set('transport', $('transport-filter').value)
  return params
}

async function loadPage() {
  const page = await api(`/api/peers?${query()}`)
  if (page.total > 0 && state.offset >= page.total) {
    state.offset = Math.floor((page.total - 1) / pageSize) * pageSize
    return loadPage()
  }
  state.total = page.total
  state.rows.clear()
  const rows = page.peers.map((peer) => {
    const tr = document.createElement('tr')
    fillRow(tr, peer)
    state.rows.set(peer.id, tr)
    noteTransport(peer.transport)
    return tr
  })
  $('peers').replaceChildren(...rows)
  const from = page.total === 0 ? 0 : state.offset + 1
  $('page-info').textContent = `${from}–${state.offset + page.peers.length} of ${page.total}`
  $('prev').disabled = state.offset === 0
  $('next').disabled = state.offset + pageSize >= page.total
  globalThis.hbDashboard.pageLoads++
}

// Transitions can come by the thousand; the visible page is reloaded at most once a second.
function scheduleReload() {
  if (state.reloadTimer !== undefined) return
  state.reloadTimer = setTimeout(() => {
    state.reloadTimer = undefined
    loadPage().catch(() => {})
  }, 1000)
}

function noteTransport(name) {
  if (state.transports.has(name)) return
  state.transports.add(name)
  const option = document.createElement('option')
  option.textContent = name
  $('transport-filter').append(option)
}

function showCounts(summary) {
  for (const name of ['alive', 'suspect', 'dead', 'left']) $(`count-${name}`).textContent = String(summary.byState[name] ?? 0)
  $('count-total').textContent = String(summary.total)
  for (const name of Object.keys(summary.byTransport)) noteTransport(name)
}

function addSample(sample) {
  state.samples.push(sample)
  if (state.samples.length > maxSamples) state.samples.shift()
  showCounts(sample)
  drawChart($('chart'), state.samples)
}

function addTimeline(event, atTop = true) {
  const li = document.createElement('li')
  li.dataset.type = event.type
  const time = document.createElement('time')
  time.textContent = new Date(event.at).toLocaleTimeString()
  const reason = event.reason ? ` (${event.reason})` : ''
  li.append(time, `${event.peer.id} ${event.type}${reason} · ${event.peer.transport}`)
  const list = $('timeline')
  if (atTop) list.prepend(li)
  else list.append(li)
  while (list.children.length > maxTimeline) list.lastElementChild.remove()
}

function applyTransition(event) {
  globalThis.hbDashboard.transitions++
  addTimeline(event)
  const tr = state.rows.get(event.peer.id)
  if (tr !== undefined) fillRow(tr, event.peer)
  else scheduleReload()
}

async function loadAll() {
  const summary = await api('/api/summary')
  state.samples = summary.history.slice(-maxSamples)
  showCounts(summary.current)
  drawChart($('chart'), state.samples)
  $('timeline').replaceChildren()
  for (const logged of summary.lastEvents.slice().reverse()) addTimeline(logged.event, false)
  await loadPage()
}

function handleMessage(block) {
  let event = 'message'
  let data = ''
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'id') state.lastEventId = value
    else if (field === 'event') event = value
    else if (field === 'data') data += value
  }
  if (event === 'transition') applyTransition(JSON.parse(data))
  else if (event === 'sample') {
    addSample(JSON.parse(data))
    scheduleReload()
  } else if (event === 'ready' || event === 'reset') loadAll().catch(() => {})
}

async function stream() {
  for (;;) {
    try {
      const response = await fetch('/api/events', {
        headers: { ...headers(), ...(state.lastEventId === undefined ? {} : { 'last-event-id': state.lastEventId }) },
      })
      if (response.status === 401) return askForToken()
      if (!response.ok || response.body === null) throw new Error(`events: ${response.status}`)
      setStatus('live')
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        let end
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          handleMessage(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
        }
      }
    } catch {
      // Fall through to the retry below.
    }
    setStatus('reconnecting')
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}

function refreshAges() {
  for (const tr of state.rows.values()) {
    const seen = tr.querySelector('.seen')
    if (seen) seen.textContent = ago(Number(tr.dataset.lastSeenAt))
  }
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault()
  state.token = $('token').value.trim()
  sessionStorage.setItem('hb-token', state.token)
  $('token-form').hidden = true
  setStatus('connecting')
  stream()
})
$('filters').addEventListener('submit', (event) => event.preventDefault())
for (const id of ['search', 'state-filter', 'transport-filter']) {
  $(id).addEventListener('input', () => {
    state.offset = 0
    loadPage().catch(() => {})
  })
}
$('prev').addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - pageSize)
  loadPage().catch(() => {})
})
$('next').addEventListener('click', () => {
  state.offset += pageSize
  loadPage().catch(() => {})
})
setInterval(refreshAges, 1000)
stream()
