-- counts.lua: the number of jobs in each state, from one consistent snapshot (read-only, O(1) per state).
-- KEYS: 1 wait list, 2 prioritized zset, 3 delayed zset, 4 retrying zset, 5 active zset, 6 completed zset,
--       7 dead zset, 8 meta hash
-- ARGV: none
-- Reply: {waiting, delayed, retrying, active, completed, dead, paused 0/1}
local paused = 0
if redis.call('HGET', KEYS[8], 'paused') == '1' then paused = 1 end
return {redis.call('LLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]),
  redis.call('ZCARD', KEYS[4]), redis.call('ZCARD', KEYS[5]), redis.call('ZCARD', KEYS[6]), redis.call('ZCARD', KEYS[7]), paused}
