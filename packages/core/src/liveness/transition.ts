/**
 * The liveness state machine: a pure function of (peer snapshot, event,
 * config) → (snapshot, effects). No timers, no clock, no I/O: the monitor
 * feeds it events (an accepted beat, a deadline that passed, a bye, a lost
 * link) and carries out the effects it returns (emit an event, arm or disarm
 * the peer's deadlines on the timing wheel, close the peer's link).
 *
 * It runs on every accepted beat, so it allocates nothing on the common
 * paths: snapshots, effect lists and results are preallocated and frozen,
 * and when nothing changes the very same snapshot object comes back.
 */
/** A known peer's state (memberlist's words). */
export type PeerState = 'alive' | 'suspect' | 'dead' | 'left'

/** Why a peer went offline: its deadline passed, it said bye, or its link dropped. */
export type OfflineReason = 'timeout' | 'left' | 'closed'

/** What the machine remembers about one peer. Always frozen; compare by identity to detect "no change". */
export interface LivenessSnapshot {
  /** `new` until the first accepted beat. */
  readonly state: PeerState | 'new'
  /** Beats counted toward coming back while dead; 0 in every other state. */
  readonly rise: number
}

/** Something that happened to a peer. */
export type LivenessEvent =
  /** A valid hello or beat was accepted. */
  | { readonly type: 'beat' }
  /** The detector's suspect deadline passed. */
  | { readonly type: 'suspect-deadline' }
  /** The detector's dead deadline passed. */
  | { readonly type: 'dead-deadline' }
  /** A valid bye was accepted. */
  | { readonly type: 'bye' }
  /** A connection transport lost this peer's link. */
  | { readonly type: 'link-down' }

/** What the monitor must do after a transition, in order. */
export type LivenessEffect =
  /** Emit `online(peer)`. */
  | { readonly type: 'online' }
  /** Emit `offline(peer, reason)`. */
  | { readonly type: 'offline'; readonly reason: OfflineReason }
  /** Emit `suspect(peer)`. */
  | { readonly type: 'suspect' }
  /** Emit `recover(peer)` (suspect → alive; the peer was never offline). */
  | { readonly type: 'recover' }
  /** (Re)start the peer's suspect and dead deadlines from this beat. */
  | { readonly type: 'arm' }
  /** Stop the peer's deadlines. */
  | { readonly type: 'disarm' }
  /** Close the peer's connection, if it has one (dead peers' sockets are closed). */
  | { readonly type: 'close-link' }

export interface LivenessConfig {
  /** Beats needed to come back from dead (an integer >= 1; default 1). */
  readonly riseBeats: number
  /** What a link-down does to an alive peer (default `'suspect'`). */
  readonly linkDown: 'suspect' | 'offline' | 'ignore'
}

/** The result of one transition. Frozen and possibly shared: never mutate it. */
export interface LivenessTransition {
  readonly snapshot: LivenessSnapshot
  readonly effects: readonly LivenessEffect[]
}

const snapshotOf = (state: LivenessSnapshot['state'], rise = 0): LivenessSnapshot => Object.freeze({ state, rise })

const NEW = snapshotOf('new')
const ALIVE = snapshotOf('alive')
const SUSPECT = snapshotOf('suspect')
const DEAD = snapshotOf('dead')
const LEFT = snapshotOf('left')

/** The snapshot of a peer never heard from: `{ state: 'new', rise: 0 }`. */
export const initialSnapshot: LivenessSnapshot = NEW

// Effect objects and lists, shared and frozen.
const ONLINE: LivenessEffect = Object.freeze({ type: 'online' })
const SUSPECTED: LivenessEffect = Object.freeze({ type: 'suspect' })
const RECOVER: LivenessEffect = Object.freeze({ type: 'recover' })
const ARM: LivenessEffect = Object.freeze({ type: 'arm' })
const DISARM: LivenessEffect = Object.freeze({ type: 'disarm' })
const CLOSE_LINK: LivenessEffect = Object.freeze({ type: 'close-link' })
const OFFLINE_TIMEOUT: LivenessEffect = Object.freeze({ type: 'offline', reason: 'timeout' })
const OFFLINE_LEFT: LivenessEffect = Object.freeze({ type: 'offline', reason: 'left' })
const OFFLINE_CLOSED: LivenessEffect = Object.freeze({ type: 'offline', reason: 'closed' })

const list = (...effects: LivenessEffect[]): readonly LivenessEffect[] => Object.freeze(effects)
const NONE = list()
const JUST_ARM = list(ARM)
const JUST_CLOSE_LINK = list(CLOSE_LINK)
const JUST_DISARM = list(DISARM)
const COME_ONLINE = list(ONLINE, ARM)
const COME_BACK = list(RECOVER, ARM)
const GO_SUSPECT = list(SUSPECTED)
const TIME_OUT = list(OFFLINE_TIMEOUT, CLOSE_LINK)
const LEAVE = list(OFFLINE_LEFT, DISARM)
const LINK_LOST = list(OFFLINE_CLOSED, DISARM)

const result = (snapshot: LivenessSnapshot, effects: readonly LivenessEffect[]): LivenessTransition =>
  Object.freeze({ snapshot, effects })

// Results whose snapshot is one of the canonical constants, built once.
const TO_ALIVE_ONLINE = result(ALIVE, COME_ONLINE)
const TO_ALIVE_RECOVER = result(ALIVE, COME_BACK)
const TO_SUSPECT = result(SUSPECT, GO_SUSPECT)
const TO_DEAD_TIMEOUT = result(DEAD, TIME_OUT)
const TO_DEAD_CLOSED = result(DEAD, LINK_LOST)
const TO_DEAD_STALLED = result(DEAD, JUST_CLOSE_LINK)
const TO_LEFT = result(LEFT, LEAVE)
const TO_LEFT_QUIETLY = result(LEFT, JUST_DISARM)

// Results that hand the caller's own snapshot back (alive + beat, and every
// "no change"). A caller may keep its own frozen snapshot objects (the
// monitor builds them from its typed-array columns), so these are memoised
// on the last snapshot seen per state: one identity check, and no
// allocation on the hot path as long as the caller reuses its objects.
let aliveRearm = result(ALIVE, JUST_ARM)
const unchangedByState: Record<LivenessSnapshot['state'], LivenessTransition> = {
  new: result(NEW, NONE),
  alive: result(ALIVE, NONE),
  suspect: result(SUSPECT, NONE),
  dead: result(DEAD, NONE),
  left: result(LEFT, NONE),
}

/** alive + beat: the same snapshot, re-armed. */
function rearm(snapshot: LivenessSnapshot): LivenessTransition {
  if (aliveRearm.snapshot !== snapshot) aliveRearm = result(snapshot, JUST_ARM)
  return aliveRearm
}

/** No change: the same snapshot object, no effects. */
function unchanged(snapshot: LivenessSnapshot): LivenessTransition {
  const state = snapshot.state
  // An untyped caller's unknown state gets a fresh result, never a cache entry.
  if (!Object.hasOwn(unchangedByState, state)) return result(snapshot, NONE)
  const cached = unchangedByState[state]
  if (cached.snapshot === snapshot) return cached
  return (unchangedByState[state] = result(snapshot, NONE))
}

/*
 * The transition table. `—` is "no change": the same snapshot object and the
 * shared empty effect list. Rows marked (*) are decisions the brief left open.
 *
 * | from    | beat                       | suspect-deadline | dead-deadline               | bye                      | link-down                              |
 * |---------|----------------------------|------------------|-----------------------------|--------------------------|----------------------------------------|
 * | new     | alive [online, arm]        | — (*a)           | — (*a)                      | — (*a)                   | — (*a)                                 |
 * | alive   | alive [arm] (same object)  | suspect [suspect]| dead [offline:timeout, close-link] | left [offline:left, disarm] (*b) | suspect: suspect [suspect]; offline: dead [offline:closed, disarm] (*c); ignore: — |
 * | suspect | alive [recover, arm]       | —                | dead [offline:timeout, close-link] | left [offline:left, disarm] (*b) | offline: dead [offline:closed, disarm]; else — |
 * | dead    | rise+1; at riseBeats alive rise 0 [online, arm], else dead [arm] | — | rise>0: dead rise 0 [close-link] (*d); rise 0: — (*e) | left [disarm] (no 2nd offline) | — (*f) |
 * | left    | alive [online, arm] (no hysteresis) | — (*g)  | — (*g)                      | —                        | — (*g)                                 |
 *
 * (*a) A peer is `new` until its first accepted beat; deadlines are never
 *      armed for it, and a bye or lost link from a peer never seen is
 *      accepted and ignored (no `offline` for a peer that was never `online`).
 * (*b) A graceful leaver's link is NOT closed by the monitor: the client
 *      sent bye and closes its own link; closing it from both ends races
 *      the bye's ack. The deadlines are disarmed: a left peer cannot time out.
 * (*c) A link-down that takes a peer offline emits no close-link (the link
 *      is already gone) and disarms (the peer is already offline; nothing is
 *      left to time out). It leaves the peer `dead`, so coming back over a
 *      new link goes through the same hysteresis as a timed-out peer.
 * (*d) A partial comeback that stalled (beats stopped before riseBeats):
 *      the count restarts from 0 and no event is emitted (the peer never
 *      came online), but close-link IS emitted: the stalled comeback may
 *      have opened a new connection, and "dead peers' sockets are closed"
 *      applies to it as well. Nothing else would close it, as the dead
 *      deadline is one-shot and a dead peer is not re-armed.
 * (*e) With rise 0 nothing has been armed since the peer died (the dead
 *      deadline is one-shot, link-down disarms), so a dead deadline is stale
 *      and ignored.
 * (*f) A dead peer's link dropping changes nothing, even mid-comeback: if its
 *      beats stop, the deadline armed by its last beat resets the count (*d).
 * (*g) A left peer is disarmed, so deadlines are stale; its link going down
 *      is the expected end of a graceful leave.
 *
 * Flapping is always visible: every move between online (alive, suspect)
 * and offline (dead, left) emits exactly one `online` or `offline`, except
 * dead → left, where the peer was already reported offline.
 *
 * `rise` is 0 in every state but dead. `config` is assumed valid
 * (riseBeats an integer >= 1; the monitor validates its options once); a
 * dead snapshot whose rise is already at or past riseBeats (config lowered
 * at runtime) comes back on its next beat.
 */
export function transition(
  snapshot: LivenessSnapshot,
  event: LivenessEvent,
  config: LivenessConfig,
): LivenessTransition {
  const type = event.type
  switch (snapshot.state) {
    case 'alive':
      switch (type) {
        case 'beat': return rearm(snapshot)
        case 'suspect-deadline': return TO_SUSPECT
        case 'dead-deadline': return TO_DEAD_TIMEOUT
        case 'bye': return TO_LEFT
        case 'link-down':
          if (config.linkDown === 'suspect') return TO_SUSPECT
          if (config.linkDown === 'offline') return TO_DEAD_CLOSED
          return unchanged(snapshot)
      }
      break
    case 'suspect':
      switch (type) {
        case 'beat': return TO_ALIVE_RECOVER
        case 'dead-deadline': return TO_DEAD_TIMEOUT
        case 'bye': return TO_LEFT
        case 'link-down': return config.linkDown === 'offline' ? TO_DEAD_CLOSED : unchanged(snapshot)
        case 'suspect-deadline': return unchanged(snapshot)
      }
      break
    case 'dead':
      switch (type) {
        case 'beat': {
          const rise = snapshot.rise + 1
          if (rise >= config.riseBeats) return TO_ALIVE_ONLINE
          return result(snapshotOf('dead', rise), JUST_ARM)
        }
        case 'dead-deadline': return snapshot.rise > 0 ? TO_DEAD_STALLED : unchanged(snapshot)
        case 'bye': return TO_LEFT_QUIETLY
        case 'suspect-deadline':
        case 'link-down':
          return unchanged(snapshot)
      }
      break
    case 'new':
    case 'left':
      if (type === 'beat') return TO_ALIVE_ONLINE
      return unchanged(snapshot)
  }
  // Only reachable from untyped callers with an unknown state or event.
  return unchanged(snapshot)
}
