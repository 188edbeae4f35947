-- progress.lua: stores an active job's progress (any encoded value) and announces it.
-- KEYS: 1 active zset, 2 events stream
-- ARGV: 1 key base, 2 events max length, 3 job id, 4 fencing token, 5 encoded progress
-- Reply: 1 stored, 0 refused (lease lost or stale token)
local sk = ARGV[1] .. 's:' .. ARGV[3]
if redis.call('HGET', sk, 'f') ~= ARGV[4] or not redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 0 end
redis.call('HSET', sk, 'p', ARGV[5])
local maxlen = tonumber(ARGV[2])
if maxlen > 0 then redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'e', 'progress', 'j', ARGV[3], 'p', ARGV[5]) end
return 1
