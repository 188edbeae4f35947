-- Deploy test script: the kinds of commands Redkit's scripts send (TIME, a hash, a sorted set,
-- a capped stream) on keys that share a hash tag, so the ACL tests check what a real script does.
-- KEYS[1]: a hash, KEYS[2]: a sorted set, KEYS[3]: a stream (all under one namespace prefix)
-- ARGV[1]: a member / field name
-- Reply: the sorted set's size after the add
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ms)
redis.call('ZADD', KEYS[2], ms, ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 1000, '*', 'added', ARGV[1])
return redis.call('ZCARD', KEYS[2])
