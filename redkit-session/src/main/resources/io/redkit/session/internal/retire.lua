-- First half of a rotation that moves a session to another hash tag (a login, which is always a
-- privilege change): deletes the old id and returns the session's data, which the caller writes
-- under the new id with create.lua. The old id leaves no alias: it stops working at once. With a
-- grace, a marker `_replaced` (no data, no user, no reference) stays at the old key for the grace:
-- load.lua reports it as "replaced", which gives no session.
-- KEYS[1]  the old session hash
-- KEYS[2]  the old tag's user index (same tag as KEYS[1]; may not exist)
-- ARGV[1]  now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]  old handle
-- ARGV[3]  rotation grace in ms: how long the marker lives; 0 for none
-- Reply: {0} no such session; {1, ref} the old id is itself an alias; {2} expired (deleted);
--        {3, now, f1, v1, f2, v2 ...} retired, with every field of the session
--#include clock.lua

local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {0} end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
if f['_alias'] then return {1, f['_alias']} end
local a, idle, x = tonumber(f['_a']), tonumber(f['_i']), tonumber(f['_x'])
if not a or not idle or not x then return {0} end
local now = now_ms(ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if now >= a + idle or now >= x then return {2} end
local grace = tonumber(ARGV[3])
if grace > 0 then
  redis.call('HSET', KEYS[1], '_replaced', '1')
  redis.call('PEXPIRE', KEYS[1], grace)
end
local out = {3, now}
for i = 1, #h do out[#out + 1] = h[i] end
return out
