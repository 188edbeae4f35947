-- remove.lua: deletes a job that is not running, from whichever state holds it.
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset, 5 active zset, 6 completed zset,
--       7 dead zset, 8 events stream
-- ARGV: 1 key base, 2 events max length, 3 job id
-- Reply: 1 removed, 0 no such job, -1 refused: the job is active (its worker holds a lease)
local base, id = ARGV[1], ARGV[3]
if redis.call('EXISTS', base .. 'j:' .. id) == 0 then return 0 end
if redis.call('ZSCORE', KEYS[5], id) then return -1 end
if redis.call('ZREM', KEYS[2], id) == 0 and redis.call('ZREM', KEYS[3], id) == 0 and redis.call('ZREM', KEYS[4], id) == 0
    and redis.call('ZREM', KEYS[6], id) == 0 and redis.call('ZREM', KEYS[7], id) == 0 then
  redis.call('LREM', KEYS[1], 1, id)
end
redis.call('DEL', base .. 'j:' .. id, base .. 's:' .. id)
local maxlen = tonumber(ARGV[2])
if maxlen > 0 then redis.call('XADD', KEYS[8], 'MAXLEN', '~', maxlen, '*', 'e', 'removed', 'j', id) end
return 1
