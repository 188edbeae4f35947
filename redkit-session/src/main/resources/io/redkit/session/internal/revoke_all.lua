-- Deletes every session of a user, optionally all but one (the current device).
-- KEYS[1]  the user's index
-- ARGV[1]  key prefix of the user's sessions (session key = prefix .. handle; same tag as KEYS[1])
-- ARGV[2]  handle to keep, or '' to revoke all
-- Reply: the revoked handles (entries whose session had already gone are removed and not listed)
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local revoked = {}
for i = 1, #members do
  local m = members[i]
  if m ~= ARGV[2] then
    if redis.call('DEL', ARGV[1] .. m) == 1 then revoked[#revoked + 1] = m end
    redis.call('ZREM', KEYS[1], m)
  end
end
return revoked
