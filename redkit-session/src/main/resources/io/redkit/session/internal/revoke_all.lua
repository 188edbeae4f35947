-- Deletes every session of a user, optionally all but one (the current device).
-- KEYS[1]  the user's index
-- ARGV[1]  key prefix of the user's sessions (session key = prefix .. handle; same tag as KEYS[1])
-- ARGV[2]  handle to keep, or '' to revoke all
-- Reply: {handle, expiresAt} pairs of the revoked sessions, flattened (expiresAt -1 when unknown);
--        entries whose session had already gone are removed and not listed
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local revoked = {}
for i = 1, #members do
  local m = members[i]
  if m ~= ARGV[2] then
    local t = redis.call('HMGET', ARGV[1] .. m, '_a', '_i', '_x')
    if redis.call('DEL', ARGV[1] .. m) == 1 then
      local a, idle, x = tonumber(t[1]), tonumber(t[2]), tonumber(t[3])
      revoked[#revoked + 1] = m
      revoked[#revoked + 1] = (a and idle and x) and math.min(a + idle, x) or -1
    end
    redis.call('ZREM', KEYS[1], m)
  end
end
return revoked
