-- Removes the expired entries of one user index (the sweeper's step). Idempotent, so any number
-- of instances may sweep at once. An index left empty disappears (Redis deletes empty ZSETs).
-- KEYS[1]  the user's index
-- ARGV[1]  now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]  the most entries to remove in this call
-- Reply: {now, removed handles...}
--#include clock.lua

local now = now_ms(ARGV[1])
local removed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
if #removed > 0 then redis.call('ZREM', KEYS[1], unpack(removed)) end
local out = {now}
for i = 1, #removed do out[#out + 1] = removed[i] end
return out
