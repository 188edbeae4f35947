-- fail.lua: records a failed attempt of an active job: retry after a delay, or dead when attempts are used up.
-- KEYS: 1 wait list, 2 prioritized zset, 3 retrying zset, 4 active zset, 5 dead zset, 6 stats hash, 7 events stream,
--       8 marker list
-- ARGV: 1 key base, 2 now ms or "", 3 events max length, 4 job id, 5 fencing token,
--       6 retry delay ms (-1 = do not retry: dead now; -2 = the worker could not read the record: dead now,
--       counted as unreadable), 7 error message, 8 stack trace (truncated),
--       9 dead jobs to keep (-1 = all), 10 dead max age ms (0 = none)
-- Reply: 0 refused (lease lost or stale token), 1 retrying, 2 dead
local base = ARGV[1]
--#include clock.lua
--#include trim.lua
--#include record.lua
local now = now_ms(ARGV[2])
local nows = string.format('%d', now)
local maxlen = tonumber(ARGV[3])
local id, tok, delay, err, stack = ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8]
local keepX, keepXAge = tonumber(ARGV[9]), tonumber(ARGV[10])
local W, PW, RT, A, X, ST, EV, MK = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local UNIT = 4398046511104
local sk = base .. 's:' .. id
local f = redis.call('HMGET', sk, 'f', 'a', 'h')
if f[1] ~= tok or not redis.call('ZSCORE', A, id) then return 0 end
local rec = redis.call('GET', base .. 'j:' .. id)
local prio, maxAttempts
if rec then prio, maxAttempts = header(rec) end
redis.call('ZREM', A, id)
if not rec then redis.call('DEL', sk); return 0 end
if not prio or delay == -2 then
  -- unreadable here, or by the worker (delay -2): dead with the reason, never lost
  bury(base, id, rec, X, ST, EV, maxlen, now)
  if delay == -2 then redis.call('HSET', sk, 'e', err, 'es', stack) end
  trim(X, keepX, keepXAge, base, now)
  return 2
end
local att = tonumber(f[2] or '1')
local h = (f[3] or '')
local function event(name, k, v)
  if maxlen > 0 then
    if k then redis.call('XADD', EV, 'MAXLEN', '~', maxlen, '*', 'e', name, 'j', id, k, v)
    else redis.call('XADD', EV, 'MAXLEN', '~', maxlen, '*', 'e', name, 'j', id) end
  end
end
local function hist(code)
  h = h .. code .. nows .. ';'
  if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
  return h
end
redis.call('HINCRBY', ST, 'failed', 1)
event('failed', 'err', err)
if delay < 0 or att >= maxAttempts then
  redis.call('HSET', sk, 'fin', nows, 'e', err, 'es', stack, 'h', hist('x'))
  redis.call('ZADD', X, now, id)
  redis.call('HINCRBY', ST, 'dead', 1)
  event('dead')
  trim(X, keepX, keepXAge, base, now)
  return 2
end
redis.call('HINCRBY', ST, 'retried', 1)
redis.call('HSET', sk, 'e', err, 'es', stack, 'h', hist('r'))
if delay == 0 then
  if prio == 0 then redis.call('RPUSH', W, id) else redis.call('ZADD', PW, (1000 - prio) * UNIT + tonumber(id), id) end
  event('retrying', 'due', nows)
  if redis.call('LLEN', MK) == 0 then redis.call('RPUSH', MK, '1') end
else
  local first = redis.call('ZRANGE', RT, 0, 0, 'WITHSCORES')
  redis.call('ZADD', RT, now + delay, id)
  event('retrying', 'due', string.format('%d', now + delay))
  if (not first[2] or now + delay < tonumber(first[2])) and redis.call('LLEN', MK) == 0 then
    redis.call('RPUSH', MK, '1')
  end
end
return 1
