-- Deletes one session and its index entry: the id is invalid at once, for every instance.
-- KEYS[1]  the session hash
-- KEYS[2]  the user's index (same tag; may not exist)
-- ARGV[1]  the session's handle
-- ARGV[2]  the user id the caller expects, or '' to accept any (a handle from a device list must
--          belong to the user whose list it came from)
-- Reply: {0} no such session (or another user's);
--        {1, userId, expiresAt} deleted (userId '' when not logged in; expiresAt -1 when unknown)
local t = redis.call('HMGET', KEYS[1], '_a', '_u', '_alias', '_i', '_x')
if t[3] or not t[1] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {0}
end
local user = t[2] or ''
if ARGV[2] ~= '' and ARGV[2] ~= user then return {0} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local a, idle, x = tonumber(t[1]), tonumber(t[4]), tonumber(t[5])
local exp = -1
if a and idle and x then exp = math.min(a + idle, x) end
return {1, user, exp}
