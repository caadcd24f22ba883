/**
 * The opening every write script shares. Scripts run atomically in Redis, so
 * each decision below is taken against one consistent state, with Redis's own
 * clock: no host clock ever decides a cluster deadline.
 *
 * KEYS[1..5] = meta, owners, names, count, events (see keys.ts);
 * ARGV[1] = the epoch the caller knows, ARGV[2] = its owner index,
 * ARGV[3] = cluster time override in ms (tests only; -1 = Redis TIME),
 * ARGV[4] = leaseMs, ARGV[5] = stream MAXLEN, ARGV[6] = the caller's name.
 *
 * `header(checkLease)` returns nil when the script may go on, else the reason
 * it must not: `reset` (Redis lost its data: the epoch is gone or new) or
 * `lost` (the caller's lease expired). It also keeps leases fair across an
 * outage: when no script ran for more than half a lease (every live process
 * renews four times per lease, so only a Redis outage or a partition of the
 * whole cluster does that), every lease that was valid when activity stopped
 * gets a full lease from now, so nobody is reaped for Redis's own absence.
 */
export const LUA_PRELUDE = `
local now = tonumber(ARGV[3])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local me = ARGV[2]
local function header(checkLease)
  local meta = redis.call('HMGET', KEYS[1], 'epoch', 'active')
  if meta[1] ~= ARGV[1] then return 'reset' end
  local leaseMs = tonumber(ARGV[4])
  local active = tonumber(meta[2] or now)
  if now - active > leaseMs / 2 then
    local owners = redis.call('HGETALL', KEYS[2])
    for i = 1, #owners, 2 do
      local expires = tonumber(owners[i + 1])
      if expires > active and expires < now + leaseMs then redis.call('HSET', KEYS[2], owners[i], now + leaseMs) end
    end
  end
  if now > active then redis.call('HSET', KEYS[1], 'active', now) end
  if checkLease and tonumber(redis.call('HGET', KEYS[2], me) or '0') <= now then return 'lost' end
  return nil
end
local function emit(kind, id, name, reason)
  if reason then
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'type', kind, 'peer', id, 'monitor', name, 'reason', reason)
  else
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'type', kind, 'peer', id, 'monitor', name)
  end
end
local function deadlineOf(value)
  return tonumber(string.match(value, '^(%d+)'))
end
`
