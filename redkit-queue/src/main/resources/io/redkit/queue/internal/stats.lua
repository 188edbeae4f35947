-- stats.lua: the queue's counters, per-minute completions and processing-time histogram, with Redis time.
-- KEYS: 1 stats hash
-- ARGV: none
-- Reply: {now ms, flat array of the stats hash}
local t = redis.call('TIME')
return {tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), redis.call('HGETALL', KEYS[1])}
