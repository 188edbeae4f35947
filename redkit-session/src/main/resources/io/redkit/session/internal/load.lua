-- Loads a session and records the access (at most once per touch interval).
-- KEYS[1]  the session hash            redkit:session:sess:{tag}:s:<handle>
-- KEYS[2]  the user's index (ZSET)     redkit:session:sess:{tag}:idx  (same tag; may not exist)
-- ARGV[1]  now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]  touch interval in ms: last access is written only when it is at least this old
-- ARGV[3]  the session's handle (its member in the index)
-- ARGV[4]  last-access JSON to store when the access is written
-- ARGV[5]  '' for a load by id; when following an alias, the user the alias was made for: the key
--          must then be a session (or alias) of exactly that user, else it is no session
-- Reply:
--   {0}                                  no such session
--   {1, ref, user}                       the id was rotated by a routine rotation of `user`'s session;
--                                        ref = "<tag>.<handle>" of the live session
--   {2, now, userId}                     the session had expired: it and its index entry are deleted
--   {4}                                  no session: the id was replaced by a privilege change moments ago
--   {3, now, touched, f1, v1, f2, v2 ...} the session's fields (before the touch); touched = 1 when
--                                         last access was written now (its value is then `now`)
--#include clock.lua

local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {0} end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
if f['_replaced'] then return {4} end
if ARGV[5] ~= '' and f['_u'] ~= ARGV[5] then return {0} end
if f['_alias'] then
  -- an alias without a user (an older layout) is not followed
  if not f['_u'] then return {0} end
  return {1, f['_alias'], f['_u']}
end

local a, idle, x = tonumber(f['_a']), tonumber(f['_i']), tonumber(f['_x'])
if not a or not idle or not x then return {0} end -- not a session written by Redkit
local now = now_ms(ARGV[1])
if now >= a + idle or now >= x then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  return {2, now, f['_u'] or ''}
end

local touched = 0
if now - a >= tonumber(ARGV[2]) then
  local exp = math.min(now + idle, x)
  redis.call('HSET', KEYS[1], '_a', now, '_l', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], exp - now)
  if f['_u'] then
    redis.call('ZADD', KEYS[2], exp, ARGV[3])
    if redis.call('PTTL', KEYS[2]) < exp - now then redis.call('PEXPIRE', KEYS[2], exp - now) end
  end
  touched = 1
end
local out = {3, now, touched}
for i = 1, #h do out[#out + 1] = h[i] end
return out
