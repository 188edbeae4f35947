-- Writes the attributes a request changed (a delta), never the others, so concurrent requests
-- that change different attributes both keep their change. A revoked or expired session is not
-- brought back.
-- KEYS[1]  the session hash
-- ARGV[1]  n, the number of field/value pairs to set
-- ARGV[2 .. 2n+1]  field/value pairs to set
-- ARGV[2n+2 ..]    fields to delete
-- Reply: {1} saved; {0} no such session (nothing written); {2, ref} the id was rotated: save to ref
local t = redis.call('HMGET', KEYS[1], '_a', '_alias')
if t[2] then return {2, t[2]} end
if not t[1] then return {0} end
local n = tonumber(ARGV[1])
if n > 0 then
  local kv = {}
  for i = 2, 2 * n + 1 do kv[#kv + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(kv))
end
if #ARGV > 2 * n + 1 then
  local dels = {}
  for i = 2 * n + 2, #ARGV do dels[#dels + 1] = ARGV[i] end
  redis.call('HDEL', KEYS[1], unpack(dels))
end
return {1}
