-- cancel.lua: cancels a job. A waiting, delayed or retrying job is dead at once with the error "cancelled"; for an
-- active job a cancel marker is set, which the worker holding it sees at its next lease renewal: it interrupts the
-- handler and makes the job dead through fail.lua (which checks the fencing token, so a completion that reached
-- Redis first wins and a late one is refused).
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset, 5 active zset, 6 completed zset,
--       7 dead zset, 8 stats hash, 9 events stream
-- ARGV: 1 key base, 2 now ms or "", 3 events max length, 4 job id, 5 dead jobs to keep (-1 = all),
--       6 dead max age ms (0 = none)
-- Reply: 0 no such job, 1 cancelled (now dead), 2 cancellation asked of the worker running it, 3 already finished
local base = ARGV[1]
--#include clock.lua
--#include trim.lua
local now = now_ms(ARGV[2])
local nows = string.format('%d', now)
local maxlen = tonumber(ARGV[3])
local id = ARGV[4]
if redis.call('EXISTS', base .. 'j:' .. id) == 0 then return 0 end
if redis.call('ZSCORE', KEYS[6], id) or redis.call('ZSCORE', KEYS[7], id) then return 3 end
local sk = base .. 's:' .. id
if redis.call('ZSCORE', KEYS[5], id) then
  redis.call('HSET', sk, 'cx', '1')
  return 2
end
local removed = redis.call('ZREM', KEYS[3], id) + redis.call('ZREM', KEYS[4], id) + redis.call('ZREM', KEYS[2], id)
if removed == 0 then removed = redis.call('LREM', KEYS[1], 1, id) end
if removed == 0 then return 0 end
local h = (redis.call('HGET', sk, 'h') or '') .. 'x' .. nows .. ';'
if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
redis.call('HSET', sk, 'fin', nows, 'e', 'cancelled', 'es', '', 'h', h)
redis.call('ZADD', KEYS[7], now, id)
redis.call('HINCRBY', KEYS[8], 'dead', 1)
if maxlen > 0 then redis.call('XADD', KEYS[9], 'MAXLEN', '~', maxlen, '*', 'e', 'dead', 'j', id, 'err', 'cancelled') end
trim(KEYS[7], tonumber(ARGV[5]), tonumber(ARGV[6]), base, now)
return 1
