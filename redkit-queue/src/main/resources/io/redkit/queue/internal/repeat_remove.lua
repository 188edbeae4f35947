-- repeat_remove.lua: deletes a repeatable job definition; jobs it already added stay.
-- KEYS: 1 repeat schedule zset, 2 repeat definitions hash
-- ARGV: 1 name
-- Reply: 1 removed, 0 no such definition
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
