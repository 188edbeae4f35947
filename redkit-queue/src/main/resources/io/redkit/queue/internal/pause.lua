-- pause.lua: pauses or resumes a queue for every worker; resuming wakes idle workers.
-- KEYS: 1 meta hash, 2 events stream, 3 marker list
-- ARGV: 1 "1" to pause, "0" to resume, 2 events max length
-- Reply: 1 when the state changed, 0 when it already was so
local was = redis.call('HGET', KEYS[1], 'paused') == '1'
local want = ARGV[1] == '1'
if was == want then return 0 end
if want then redis.call('HSET', KEYS[1], 'paused', '1') else
  redis.call('HDEL', KEYS[1], 'paused')
  if redis.call('LLEN', KEYS[3]) == 0 then redis.call('RPUSH', KEYS[3], '1') end
end
local maxlen = tonumber(ARGV[2])
if maxlen > 0 then
  local e = 'resumed'
  if want then e = 'paused' end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'e', e, 'j', '')
end
return 1
