/**
 * The Lua scripts behind a presence. A peer's record is one hash field per
 * monitor that holds it, `<owner>|<id>` → `<deadline>,<incarnation>,<seq>`
 * (deadline in Redis ms), in the bucket hash its id hashes to. A peer is
 * online in the cluster while it has at least one field. Every script's
 * arguments and replies are documented in PROTOCOL.md §10.
 */
import { LUA_PRELUDE } from './lua-prelude.js'

/** Creates the namespace's epoch and bucket count if absent. KEYS[1] meta; ARGV epoch, buckets. */
export const LUA_INIT = `
local e = redis.call('HGET', KEYS[1], 'epoch')
if not e then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'buckets', ARGV[2])
  e = ARGV[1]
end
return {e, redis.call('HGET', KEYS[1], 'buckets')}
`

/**
 * Acquires (a new owner index), renews or retires the caller's lease.
 * ARGV[7] = acquire | renew | retire, ARGV[8] = the caller's measured lag (ms),
 * kept as names[<owner>:lag]: others wait that much longer before they trust
 * its written deadlines to have expired. Reply: {'ok', now, me, owners (flat index, expiry)}
 * or {'reset'} or {'lost', now}.
 */
export const LUA_LEASE = `${LUA_PRELUDE}
local bad = header(false)
if bad then return {bad} end
local leaseMs = tonumber(ARGV[4])
local mode = ARGV[7]
if mode == 'acquire' then
  me = tostring(redis.call('HINCRBY', KEYS[1], 'owners', 1))
  redis.call('HSET', KEYS[3], me, ARGV[6])
elseif tonumber(redis.call('HGET', KEYS[2], me) or '0') <= now then
  return {'lost', now}
end
if mode == 'retire' then
  redis.call('HSET', KEYS[2], me, now)
else
  redis.call('HSET', KEYS[2], me, now + leaseMs)
  redis.call('HSET', KEYS[3], me .. ':lag', ARGV[8] or '0')
end
return {'ok', now, me, redis.call('HGETALL', KEYS[2])}
`

/**
 * Claims or refreshes the caller's field of each peer: KEYS[5 + i] = the
 * bucket of entry i; ARGV[7] = timeoutMs, ARGV[8] = '1' to re-register
 * silently (after a reset), then per entry: id, age of its last beat (ms, on
 * the caller's clock), incarnation, seq. The deadline written is Redis's now −
 * age + timeout: any time the command spent in flight only makes it later.
 * A field that did not exist makes the peer online in the cluster unless
 * another monitor holds it (it moved): then `online` is emitted, once.
 * Reply: {'ok', now, {entry numbers that emitted online}} or {'reset'} or {'lost'}.
 */
export const LUA_UPSERT = `${LUA_PRELUDE}
local bad = header(true)
if bad then return {bad} end
local timeoutMs = tonumber(ARGV[7])
local silent = ARGV[8] == '1'
local owners
local onlines = {}
for i = 1, #KEYS - 5 do
  local bucket = KEYS[5 + i]
  local k = 8 + (i - 1) * 4
  local id = ARGV[k + 1]
  local value = string.format('%d', now - tonumber(ARGV[k + 2]) + timeoutMs) .. ',' .. ARGV[k + 3] .. ',' .. ARGV[k + 4]
  if redis.call('HSET', bucket, me .. '|' .. id, value) == 1 then
    owners = owners or redis.call('HKEYS', KEYS[2])
    local held = false
    for _, o in ipairs(owners) do
      if o ~= me and redis.call('HEXISTS', bucket, o .. '|' .. id) == 1 then
        held = true
        break
      end
    end
    if not held then
      redis.call('INCR', KEYS[4])
      if not silent then
        emit('online', id, ARGV[6])
        onlines[#onlines + 1] = i
      end
    end
  end
end
return {'ok', now, onlines}
`

/**
 * Releases the caller's field of each peer whose local deadline passed (or
 * that said bye): ARGV[7] = slackMs, then per entry: id, reason. The peer goes
 * offline in the cluster only if no other monitor's field could still hide a
 * newer beat (its deadline + slack is in the future): a peer that moved emits
 * nothing, and its last holder (or the reaper) decides. A bye (`left`) is final.
 * Reply: {'ok', now, {per entry: 'offline' | 'held' | 'gone'}} or {'reset'}.
 */
export const LUA_RELEASE = `${LUA_PRELUDE}
local bad = header(false)
if bad then return {bad} end
local slackMs = tonumber(ARGV[7])
local owners = redis.call('HKEYS', KEYS[2])
local lagOf = {}
for _, o in ipairs(owners) do lagOf[o] = tonumber(redis.call('HGET', KEYS[3], o .. ':lag') or '0') end
local out = {}
for i = 1, #KEYS - 5 do
  local bucket = KEYS[5 + i]
  local id = ARGV[8 + (i - 1) * 2]
  local reason = ARGV[9 + (i - 1) * 2]
  local mine = redis.call('HDEL', bucket, me .. '|' .. id) == 1
  local live = false
  local stale = {}
  for _, o in ipairs(owners) do
    if o ~= me then
      local field = o .. '|' .. id
      local value = redis.call('HGET', bucket, field)
      if value then
        if reason ~= 'left' and deadlineOf(value) + slackMs + lagOf[o] > now then live = true end
        stale[#stale + 1] = field
      end
    end
  end
  if live then
    out[i] = 'held'
  elseif mine or (reason == 'left' and #stale > 0) then
    for _, field in ipairs(stale) do redis.call('HDEL', bucket, field) end
    redis.call('DECR', KEYS[4])
    emit('offline', id, ARGV[6], reason)
    out[i] = 'offline'
  else
    out[i] = 'gone'
  end
end
return {'ok', now, out}
`

/**
 * Reaps the fields of a monitor whose lease expired: KEYS[6..] = buckets to
 * scan; ARGV[7] = the dead owner, ARGV[8] = slackMs. A field is reaped once its
 * deadline + slack passed (its owner may have heard beats it never wrote, for
 * up to slack); the peer goes offline unless another monitor still holds it.
 * Reply: {'ok', now, {reaped id, its written deadline, …}, {positions of buckets
 * still holding the owner's fields}, earliest due of those or -1, the owner's
 * name} or {'alive', now, expiry} or {'reset'}.
 */
export const LUA_REAP = `${LUA_PRELUDE}
local bad = header(false)
if bad then return {bad} end
local dead = ARGV[7]
local slackMs = tonumber(ARGV[8])
local expires = tonumber(redis.call('HGET', KEYS[2], dead) or '0')
if expires > now then return {'alive', now, expires} end
local deadName = redis.call('HGET', KEYS[3], dead) or dead
local owners = redis.call('HKEYS', KEYS[2])
local lagOf = {}
for _, o in ipairs(owners) do lagOf[o] = tonumber(redis.call('HGET', KEYS[3], o .. ':lag') or '0') end
-- The dead process may have been slow to write: trust its deadlines that much later.
local deadSlack = slackMs + (lagOf[dead] or 0)
local prefix = dead .. '|'
local reaped = {}
local pending = {}
local minDue = -1
for i = 6, #KEYS do
  local bucket = KEYS[i]
  local all = redis.call('HGETALL', bucket)
  local waiting = false
  for j = 1, #all, 2 do
    local field = all[j]
    if string.sub(field, 1, #prefix) == prefix then
      local due = deadlineOf(all[j + 1]) + deadSlack
      if due > now then
        waiting = true
        if minDue < 0 or due < minDue then minDue = due end
      else
        local id = string.sub(field, #prefix + 1)
        redis.call('HDEL', bucket, field)
        local live = false
        local stale = {}
        for _, o in ipairs(owners) do
          if o ~= dead then
            local other = o .. '|' .. id
            local value = redis.call('HGET', bucket, other)
            if value then
              if deadlineOf(value) + slackMs + (lagOf[o] or 0) > now then live = true end
              stale[#stale + 1] = other
            end
          end
        end
        if not live then
          for _, f in ipairs(stale) do redis.call('HDEL', bucket, f) end
          redis.call('DECR', KEYS[4])
          emit('offline', id, deadName, 'timeout')
          reaped[#reaped + 1] = id
          reaped[#reaped + 1] = due - deadSlack
        end
      end
    end
  end
  if waiting then pending[#pending + 1] = i - 5 end
end
return {'ok', now, reaped, pending, minDue, deadName}
`

/** Forgets a dead owner once a full pass found none of its fields. ARGV[7] = the owner. Reply: 1 if forgotten. */
export const LUA_FORGET = `${LUA_PRELUDE}
local bad = header(false)
if bad then return {bad} end
local dead = ARGV[7]
if tonumber(redis.call('HGET', KEYS[2], dead) or '0') > now then return 0 end
redis.call('HDEL', KEYS[2], dead)
redis.call('HDEL', KEYS[3], dead, dead .. ':lag')
return 1
`

/**
 * The newest (incarnation, seq) any monitor wrote for each id: KEYS[1] =
 * owners, KEYS[1 + i] = the bucket of ARGV[i]. Reply: per id, 'inc,seq' or ''.
 */
export const LUA_MARKS = `
local owners = redis.call('HKEYS', KEYS[1])
local out = {}
for i = 1, #ARGV do
  local best, bestInc, bestSeq = '', -1, -1
  for _, o in ipairs(owners) do
    local value = redis.call('HGET', KEYS[1 + i], o .. '|' .. ARGV[i])
    if value then
      local _, inc, seq = string.match(value, '^(%d+),(%d+),(%d+)$')
      inc, seq = tonumber(inc), tonumber(seq)
      if inc > bestInc or (inc == bestInc and seq > bestSeq) then
        bestInc, bestSeq = inc, seq
        best = string.format('%d,%d', inc, seq)
      end
    end
  end
  out[i] = best
end
return out
`

/**
 * Reads buckets for get() and peers(): KEYS[1] = names, KEYS[2..] = buckets.
 * Reply: {names (flat), bucket 1 (flat field, value), bucket 2, …}.
 */
export const LUA_READ = `
local out = {redis.call('HGETALL', KEYS[1])}
for i = 2, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
return out
`
