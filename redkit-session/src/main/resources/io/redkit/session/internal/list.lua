-- Lists a user's live sessions for a "your devices" page, removing index entries whose session
-- expired or is gone.
-- KEYS[1]  the user's index
-- ARGV[1]  now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]  key prefix of the user's sessions (session key = prefix .. handle; same tag as KEYS[1])
-- Reply: {now, nRemoved, removed handles..., then per live session:
--         handle, createdAt, lastAccess, creation JSON, last-access JSON, expiresAt}
--#include clock.lua

local now = now_ms(ARGV[1])
local removed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #removed > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local live = {}
for i = 1, #members do
  local m = members[i]
  local key = ARGV[2] .. m
  local t = redis.call('HMGET', key, '_c', '_a', '_i', '_x', '_m', '_l')
  local c, a, idle, x = tonumber(t[1]), tonumber(t[2]), tonumber(t[3]), tonumber(t[4])
  if not c or not a or not idle or not x then
    redis.call('ZREM', KEYS[1], m)
    removed[#removed + 1] = m
  elseif now >= a + idle or now >= x then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], m)
    removed[#removed + 1] = m
  else
    local e = {m, c, a, t[5] or '', t[6] or '', math.min(a + idle, x)}
    for j = 1, #e do live[#live + 1] = e[j] end
  end
end
local out = {now, #removed}
for i = 1, #removed do out[#out + 1] = removed[i] end
for i = 1, #live do out[#out + 1] = live[i] end
return out
