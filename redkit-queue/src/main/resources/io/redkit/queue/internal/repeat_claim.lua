-- repeat_claim.lua: claims one occurrence of a repeatable job and adds its job, exactly once however many
-- workers try: only the caller that still sees the expected occurrence moves the schedule on and adds the job.
-- KEYS: 1 wait list, 2 prioritized zset, 3 stats hash, 4 events stream, 5 marker list, 6 id counter,
--       7 repeat schedule zset
-- ARGV: 1 key base, 2 events max length, 3 name, 4 expected occurrence ms, 5 next occurrence ms (-1 = none: remove),
--       6 job record, 7 priority
-- Reply: the new job id, or false when another caller claimed this occurrence first
local base = ARGV[1]
local cur = redis.call('ZSCORE', KEYS[7], ARGV[3])
if not cur or tonumber(cur) ~= tonumber(ARGV[4]) then return false end
if tonumber(ARGV[5]) < 0 then redis.call('ZREM', KEYS[7], ARGV[3]) else redis.call('ZADD', KEYS[7], ARGV[5], ARGV[3]) end
local id = string.format('%d', redis.call('INCR', KEYS[6]))
redis.call('SET', base .. 'j:' .. id, ARGV[6])
local prio = tonumber(ARGV[7])
if prio == 0 then redis.call('RPUSH', KEYS[1], id) else redis.call('ZADD', KEYS[2], (1000 - prio) * 4398046511104 + tonumber(id), id) end
redis.call('HINCRBY', KEYS[3], 'added', 1)
local maxlen = tonumber(ARGV[2])
if maxlen > 0 then redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'e', 'added', 'j', id, 'repeat', ARGV[3]) end
if redis.call('LLEN', KEYS[5]) == 0 then redis.call('RPUSH', KEYS[5], '1') end
return id
