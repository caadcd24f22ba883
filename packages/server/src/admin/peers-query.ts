/**
 * `GET /api/peers`: filter by state, transport and id, then one page, sorted
 * by id so pages are stable while peers come and go.
 */
import type { PeerView } from '../presence/peer-view.js'

/** A parsed `/api/peers` query. */
export interface PeersQuery {
  readonly states: ReadonlySet<string> | undefined
  readonly transports: ReadonlySet<string> | undefined
  /** Substring of the id (case-sensitive). */
  readonly search: string | undefined
  readonly offset: number
  readonly limit: number
}

/** One page of peers. */
export interface PeersPage {
  /** Peers matching the filters, over all pages. */
  readonly total: number
  readonly offset: number
  readonly limit: number
  readonly peers: PeerView[]
}

export const maxPageSize = 1000
const defaultPageSize = 100
const states = new Set(['alive', 'suspect', 'dead', 'left'])

function list(value: string | null): Set<string> | undefined {
  if (value === null || value === '') return undefined
  return new Set(value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
}

function integer(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name)
  if (raw === null || raw === '') return fallback
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}`)
  return value
}

/**
 * Parses `state` (comma list of alive, suspect, dead, left), `transport`
 * (comma list), `q` (id substring), `offset` and `limit` (1–1000, default 100).
 * @throws RangeError with a message for the client on a bad value.
 */
export function parsePeersQuery(params: URLSearchParams): PeersQuery {
  const wanted = list(params.get('state'))
  const bad = wanted === undefined ? undefined : [...wanted].find((state) => !states.has(state))
  if (bad !== undefined) throw new RangeError('state must be a comma-separated list of alive, suspect, dead, left')
  const search = params.get('q') ?? undefined
  if (search !== undefined && search.length > 255) throw new RangeError('q is longer than an id can be')
  return {
    states: wanted,
    transports: list(params.get('transport')),
    search: search === '' ? undefined : search,
    offset: integer(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
    limit: integer(params, 'limit', defaultPageSize, 1, maxPageSize),
  }
}

/** Applies `query` to `peers`. */
export function pagePeers(peers: readonly PeerView[], query: PeersQuery): PeersPage {
  const { states: wanted, transports, search } = query
  const matching = peers.filter(
    (peer) =>
      (wanted === undefined || wanted.has(peer.state)) &&
      (transports === undefined || transports.has(peer.transport)) &&
      (search === undefined || peer.id.includes(search)),
  )
  matching.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { total: matching.length, offset: query.offset, limit: query.limit, peers: matching.slice(query.offset, query.offset + query.limit) }
}
