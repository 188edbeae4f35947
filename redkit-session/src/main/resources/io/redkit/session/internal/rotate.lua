-- Gives a session a new id within the same hash tag (a privilege change or a routine rotation of a
-- session, or a login whose user tag is the session's tag), keeping its data. The session leaves the
-- old key. With a grace (ARGV[2] > 0), a routine rotation (ARGV[7] = '1') of a session stored as
-- logged in as ARGV[6] leaves an alias of the new id there for the grace, recording that user; any
-- other rotation leaves a marker `_replaced` (no data, no user, no reference) for the grace, which
-- load.lua reports as "replaced" and which gives no session. Without a grace the old key is gone.
-- KEYS[1]  the old session hash
-- KEYS[2]  the new session hash   (same tag)
-- KEYS[3]  the user's index       (same tag)
-- ARGV[1]  now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]  rotation grace in ms: how long the alias or the marker lives; 0 for neither
-- ARGV[3]  old handle
-- ARGV[4]  new handle
-- ARGV[5]  alias target, "<tag>.<new handle>"
-- ARGV[6]  user id after rotation, or '' for none
-- ARGV[7]  '1' for a routine rotation (an alias is allowed), '0' for a privilege change (never one)
-- Reply: {0} no such session; {1, ref} the old id is itself an alias; {2} expired (deleted);
--        {3, now, expiresAt, previous expiresAt, aliased (1, or 0 for a marker or nothing)} rotated
--#include clock.lua

local t = redis.call('HMGET', KEYS[1], '_a', '_i', '_x', '_alias', '_u')
if t[4] then return {1, t[4]} end
if not t[1] then return {0} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
local now = now_ms(ARGV[1])
local a, idle, x = tonumber(t[1]), tonumber(t[2]), tonumber(t[3])
if now >= a + idle or now >= x then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[3])
  return {2}
end
local exp = math.min(now + idle, x)
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], '_a', now)
if ARGV[6] ~= '' then redis.call('HSET', KEYS[2], '_u', ARGV[6]) else redis.call('HDEL', KEYS[2], '_u') end
redis.call('PEXPIRE', KEYS[2], exp - now)
redis.call('ZREM', KEYS[3], ARGV[3])
if ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[3], exp, ARGV[4])
  if redis.call('PTTL', KEYS[3]) < exp - now then redis.call('PEXPIRE', KEYS[3], exp - now) end
end
local grace = tonumber(ARGV[2])
local aliased = 0
-- an alias only for a session that was logged in, as the same user, before this rotation:
-- it never lets an id reach more than that id itself could
if grace > 0 then
  if ARGV[7] == '1' and ARGV[6] ~= '' and t[5] == ARGV[6] then
    redis.call('HSET', KEYS[1], '_alias', ARGV[5], '_u', ARGV[6])
    aliased = 1
  else
    redis.call('HSET', KEYS[1], '_replaced', '1')
  end
  redis.call('PEXPIRE', KEYS[1], grace)
end
return {3, now, exp, math.min(a + idle, x), aliased}
