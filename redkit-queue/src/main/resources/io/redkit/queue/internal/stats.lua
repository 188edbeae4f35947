-- stats.lua: the queue's counters, per-minute completions and processing-time histogram, with Redis time.
-- KEYS: 1 stats hash
-- ARGV: none
-- Reply: {now ms, flat array of the stats hash}
--#include clock.lua
return {now_ms(''), redis.call('HGETALL', KEYS[1])}
