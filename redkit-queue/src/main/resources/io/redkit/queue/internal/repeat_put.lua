-- repeat_put.lua: creates or replaces a repeatable job definition and its next occurrence.
-- KEYS: 1 repeat schedule zset (member = name, score = next occurrence ms), 2 repeat definitions hash
-- ARGV: 1 name, 2 definition, 3 first occurrence ms
-- Reply: 1 created, 0 replaced
local created = redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return created
