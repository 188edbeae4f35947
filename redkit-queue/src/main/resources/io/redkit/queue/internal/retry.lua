-- retry.lua: gives dead jobs a fresh set of attempts: back to waiting with attempts and stalls reset.
-- One job by id, or one bounded step of retrying every job that was dead when the retry started: the dead
-- zset is walked up to its highest score (finish time) at the start (window.lua), and only jobs whose id is
-- at most the queue's last id at the start are revived, so jobs that die while it runs (also the ones it
-- revived) are left dead and the caller's loop ends.
-- KEYS: 1 wait list, 2 prioritized zset, 3 dead zset, 4 events stream, 5 marker list, 6 job id counter
-- ARGV: 1 key base, 2 now ms or "", 3 events max length, 4 job id, or "" for every dead job,
--       5 at most this many dead jobs looked at (when 4 is ""), 6 the walk's cursor ("" on the first call),
--       7 the id bound (ignored on the first call)
-- Reply: {jobs moved, the next cursor ("x" when done, always "x" for one id), the id bound}; a job whose record
--        this version cannot read stays dead (not counted); a dead entry without a record is dropped.
local base = ARGV[1]
--#include clock.lua
--#include record.lua
--#include window.lua
local now = now_ms(ARGV[2])
local nows = string.format('%d', now)
local maxlen = tonumber(ARGV[3])
local UNIT = 4398046511104
local n = 0
-- Revives one dead job; returns true when it left the dead zset.
local function revive(id)
  local rec = redis.call('GET', base .. 'j:' .. id)
  local prio = rec and header(rec)
  local sk = base .. 's:' .. id
  if rec and not prio then
    -- unreadable by this version: it stays dead (with its reason) rather than being lost
    return false
  elseif rec then
    redis.call('ZREM', KEYS[3], id)
    local h = (redis.call('HGET', sk, 'h') or '') .. 'w' .. nows .. ';'
    if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
    redis.call('HSET', sk, 'a', 0, 'sc', 0, 'h', h)
    redis.call('HDEL', sk, 'fin', 'cx')
    if prio == 0 then redis.call('RPUSH', KEYS[1], id) else redis.call('ZADD', KEYS[2], (1000 - prio) * UNIT + tonumber(id), id) end
    if maxlen > 0 then redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'e', 'waiting', 'j', id) end
    n = n + 1
    return true
  else
    redis.call('ZREM', KEYS[3], id)
    redis.call('DEL', sk)
    return true
  end
end
local cursor, bound = 'x', ''
if ARGV[4] ~= '' then
  if redis.call('ZSCORE', KEYS[3], ARGV[4]) then revive(ARGV[4]) end
else
  if ARGV[6] == '' then
    bound = redis.call('GET', KEYS[6]) or '0'
    cursor = window_start(KEYS[3])
  else
    bound, cursor = ARGV[7], ARGV[6]
  end
  local b = tonumber(bound)
  local _
  _, cursor = window_step(KEYS[3], cursor, tonumber(ARGV[5]), function(id)
    if tonumber(id) > b then return false end
    return revive(id)
  end)
end
if n > 0 and redis.call('LLEN', KEYS[5]) == 0 then redis.call('RPUSH', KEYS[5], '1') end
return {n, cursor, bound}
