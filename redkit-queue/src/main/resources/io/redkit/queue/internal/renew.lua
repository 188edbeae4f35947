-- renew.lua: extends the leases of a worker's active jobs, all in one call.
-- KEYS: 1 active zset
-- ARGV: 1 key base, 2 now ms or "", 3 lease ms (new deadline = now + lease), then pairs: job id, fencing token
-- Reply: {the ids whose lease is lost (taken back after expiry, or the token is stale; their completion will be refused),
--         the ids whose cancellation was asked for (cancel.lua): the worker interrupts them and makes them dead}
local base = ARGV[1]
--#include clock.lua
local now = now_ms(ARGV[2])
local deadline = now + tonumber(ARGV[3])
local lost, cancelled = {}, {}
for i = 4, #ARGV, 2 do
  local id, tok = ARGV[i], ARGV[i + 1]
  local cur = redis.call('ZSCORE', KEYS[1], id)
  if cur and tonumber(cur) > now and redis.call('HGET', base .. 's:' .. id, 'f') == tok then
    if deadline > tonumber(cur) then redis.call('ZADD', KEYS[1], 'XX', deadline, id) end
    if redis.call('HGET', base .. 's:' .. id, 'cx') == '1' then cancelled[#cancelled + 1] = id end
  else
    lost[#lost + 1] = id
  end
end
return {lost, cancelled}
