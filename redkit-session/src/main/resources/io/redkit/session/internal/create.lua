-- Writes a new session (a fresh one, or the data of a rotated one under its new id), adds it to
-- its user's index, prunes expired index entries and evicts the sessions beyond the user's maximum.
-- KEYS[1]  the new session hash        redkit:session:sess:{tag}:s:<handle>
-- KEYS[2]  the user's index (ZSET)     redkit:session:sess:{tag}:idx  (same tag)
-- ARGV[1]  now in ms, or -1 to use the Redis server's TIME
-- ARGV[2]  idle timeout in ms
-- ARGV[3]  created-at in ms, or -1 for now
-- ARGV[4]  absolute deadline in ms, or -1 for now + ARGV[5]
-- ARGV[5]  absolute timeout in ms
-- ARGV[6]  user id, or '' before login (then the index is not touched)
-- ARGV[7]  the session's handle (its member in the index)
-- ARGV[8]  maximum sessions per user, 0 for no limit
-- ARGV[9]  key prefix of this tag's sessions (KEYS[1] without the handle)
-- ARGV[10] creation JSON (ip, user agent, device label)
-- ARGV[11] last-access JSON
-- ARGV[12..] attribute field/value pairs
-- Reply:
--   {0}   the id is taken (never expected: 256 random bits); nothing written
--   {2}   the absolute deadline has passed (a dying session cannot be rotated); nothing written
--   {1, now, createdAt, deadline, expiresAt, nEvicted, evicted (handle, expiresAt) pairs..., pruned handles...}
--#include clock.lua

if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
local now = now_ms(ARGV[1])
local idle = tonumber(ARGV[2])
local created = tonumber(ARGV[3])
if created < 0 then created = now end
local x = tonumber(ARGV[4])
if x < 0 then x = now + tonumber(ARGV[5]) end
if x <= now then return {2} end
local exp = math.min(now + idle, x)
local user = ARGV[6]
local handle = ARGV[7]

local fields = {'_v', '1', '_c', created, '_a', now, '_i', idle, '_x', x, '_m', ARGV[10], '_l', ARGV[11]}
if user ~= '' then
  fields[#fields + 1] = '_u'
  fields[#fields + 1] = user
end
for i = 12, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], exp - now)

local evicted, pruned = {}, {}
if user ~= '' then
  local idx = KEYS[2]
  pruned = redis.call('ZRANGEBYSCORE', idx, '-inf', now)
  if #pruned > 0 then redis.call('ZREMRANGEBYSCORE', idx, '-inf', now) end
  redis.call('ZADD', idx, exp, handle)
  if redis.call('PTTL', idx) < exp - now then redis.call('PEXPIRE', idx, exp - now) end
  local max = tonumber(ARGV[8])
  if max > 0 then
    local n = redis.call('ZCARD', idx)
    if n > max then
      -- evict the sessions that would expire first (the least recently used), never the new one
      local members = redis.call('ZRANGE', idx, 0, -1, 'WITHSCORES')
      for i = 1, #members, 2 do
        if n <= max then break end
        local m = members[i]
        if m ~= handle then
          redis.call('DEL', ARGV[9] .. m)
          redis.call('ZREM', idx, m)
          evicted[#evicted + 1] = {m, math.floor(tonumber(members[i + 1]))}
          n = n - 1
        end
      end
    end
  end
end
local out = {1, now, created, x, exp, #evicted}
for i = 1, #evicted do
  out[#out + 1] = evicted[i][1]
  out[#out + 1] = evicted[i][2]
end
for i = 1, #pruned do out[#out + 1] = pruned[i] end
return out
