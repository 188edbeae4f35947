-- Test script: increments two keys that share a hash tag and returns both values.
-- KEYS[1], KEYS[2]: counters (same hash tag)
-- ARGV[1]: increment
-- Reply: {value1, value2}
local a = redis.call('INCRBY', KEYS[1], ARGV[1])
local b = redis.call('INCRBY', KEYS[2], ARGV[1])
return {a, b}
