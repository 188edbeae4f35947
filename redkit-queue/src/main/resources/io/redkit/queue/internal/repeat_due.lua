-- repeat_due.lua: the repeatable jobs whose occurrence is due, with Redis time (read-only).
-- KEYS: 1 repeat schedule zset, 2 repeat definitions hash
-- ARGV: 1 now ms or "", 2 at most this many
-- Reply: {now ms, ms until the next occurrence that is not yet due (-1 = none), then triples: name, occurrence ms, definition}
--#include clock.lua
local now = now_ms(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local nxt = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', now), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local wait = -1
if nxt[2] then wait = tonumber(nxt[2]) - now end
local out = {now, wait}
for i = 1, #due, 2 do
  out[#out + 1] = due[i]
  out[#out + 1] = due[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], due[i]) or ''
end
return out
