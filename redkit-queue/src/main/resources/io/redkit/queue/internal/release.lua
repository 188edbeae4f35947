-- release.lua: gives active jobs back to waiting at once (graceful shutdown); the attempt does not count.
-- KEYS: 1 wait list, 2 prioritized zset, 3 active zset, 4 events stream, 5 marker list, 6 dead zset, 7 stats hash
-- ARGV: 1 key base, 2 now ms or "", 3 events max length, then pairs: job id, fencing token
-- Reply: number of jobs released (jobs whose lease was already lost are skipped; an unreadable record is dead)
local base = ARGV[1]
--#include clock.lua
--#include record.lua
local now = now_ms(ARGV[2])
local nows = string.format('%d', now)
local maxlen = tonumber(ARGV[3])
local UNIT = 4398046511104
local n = 0
for i = 4, #ARGV, 2 do
  local id, tok = ARGV[i], ARGV[i + 1]
  local sk = base .. 's:' .. id
  local f = redis.call('HMGET', sk, 'f', 'h')
  if f[1] == tok and redis.call('ZSCORE', KEYS[3], id) then
    local rec = redis.call('GET', base .. 'j:' .. id)
    local prio = rec and header(rec)
    redis.call('ZREM', KEYS[3], id)
    if rec and not prio then
      bury(base, id, rec, KEYS[6], KEYS[7], KEYS[4], maxlen, now)
    elseif rec then
      local h = (f[2] or '') .. 'w' .. nows .. ';'
      if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
      redis.call('HINCRBY', sk, 'a', -1)
      redis.call('HSET', sk, 'h', h)
      if prio == 0 then redis.call('LPUSH', KEYS[1], id) else redis.call('ZADD', KEYS[2], (1000 - prio) * UNIT, id) end
      if maxlen > 0 then redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'e', 'released', 'j', id) end
      n = n + 1
    else
      redis.call('DEL', sk)
    end
  end
end
if n > 0 and redis.call('LLEN', KEYS[5]) == 0 then redis.call('RPUSH', KEYS[5], '1') end
return n
