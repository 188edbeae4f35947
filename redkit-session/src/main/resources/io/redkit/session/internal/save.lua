-- Writes the attributes a request changed (a delta), never the others, so concurrent requests
-- that change different attributes both keep their change. A revoked or expired session is not
-- brought back.
-- KEYS[1]  the session hash
-- ARGV[1]  the session's user, or '' for an anonymous session (then not checked): a session or an
--          alias of another user (or of none) is no session
-- ARGV[2]  n, the number of field/value pairs to set
-- ARGV[3 .. 2n+2]  field/value pairs to set
-- ARGV[2n+3 ..]    fields to delete
-- Reply: {1} saved; {0} no such session (nothing written); {2, ref} the id was rotated by a routine
--        rotation: save to ref
local t = redis.call('HMGET', KEYS[1], '_a', '_alias', '_u')
if ARGV[1] ~= '' and t[3] ~= ARGV[1] then return {0} end
if t[2] then
  -- an alias is followed only by a save of its own user's session (never by an anonymous one, nor
  -- for an alias without a user, from an older layout)
  if not t[3] or t[3] ~= ARGV[1] then return {0} end
  return {2, t[2]}
end
if not t[1] then return {0} end
local n = tonumber(ARGV[2])
if n > 0 then
  local kv = {}
  for i = 3, 2 * n + 2 do kv[#kv + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(kv))
end
if #ARGV > 2 * n + 2 then
  local dels = {}
  for i = 2 * n + 3, #ARGV do dels[#dels + 1] = ARGV[i] end
  redis.call('HDEL', KEYS[1], unpack(dels))
end
return {1}
