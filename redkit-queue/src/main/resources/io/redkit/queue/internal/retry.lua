-- retry.lua: gives dead jobs a fresh set of attempts: back to waiting with attempts and stalls reset.
-- KEYS: 1 wait list, 2 prioritized zset, 3 dead zset, 4 events stream, 5 marker list
-- ARGV: 1 key base, 2 now ms or "", 3 events max length, 4 job id, or "" for the oldest dead jobs,
--       5 at most this many jobs (when 4 is "")
-- Reply: the number of jobs moved (0 when the job is not dead; a job whose record this version cannot read stays dead)
local base = ARGV[1]
--#include clock.lua
--#include record.lua
local now = now_ms(ARGV[2])
local nows = string.format('%d', now)
local maxlen = tonumber(ARGV[3])
local UNIT = 4398046511104
local ids
if ARGV[4] ~= '' then
  if not redis.call('ZSCORE', KEYS[3], ARGV[4]) then return 0 end
  ids = {ARGV[4]}
else
  ids = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[5]) - 1)
end
local n = 0
for _, id in ipairs(ids) do
  local rec = redis.call('GET', base .. 'j:' .. id)
  local prio = rec and header(rec)
  local sk = base .. 's:' .. id
  if rec and not prio then
    -- unreadable by this version: it stays dead (with its reason) rather than being lost
  elseif rec then
    redis.call('ZREM', KEYS[3], id)
    local h = (redis.call('HGET', sk, 'h') or '') .. 'w' .. nows .. ';'
    if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
    redis.call('HSET', sk, 'a', 0, 'sc', 0, 'h', h)
    redis.call('HDEL', sk, 'fin')
    if prio == 0 then redis.call('RPUSH', KEYS[1], id) else redis.call('ZADD', KEYS[2], (1000 - prio) * UNIT + tonumber(id), id) end
    if maxlen > 0 then redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'e', 'waiting', 'j', id) end
    n = n + 1
  else
    redis.call('ZREM', KEYS[3], id)
    redis.call('DEL', sk)
  end
end
if n > 0 and redis.call('LLEN', KEYS[5]) == 0 then redis.call('RPUSH', KEYS[5], '1') end
return n
