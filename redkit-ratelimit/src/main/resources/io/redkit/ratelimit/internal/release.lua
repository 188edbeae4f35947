-- release.lua: gives back the cost of a granted reservation (check.lua in reserve mode) to every
-- limit it was taken from, as if the reservation had not been made, never below a state's floor.
--
-- KEYS[i]    state key of limit i, as reserved
-- ARGV[1]    now in integer microseconds, or -1 to read the Redis server's TIME
-- ARGV[2]    cost the reservation took from every limit
-- ARGV[3+4(i-1) .. 6+4(i-1)] for limit i: algorithm (1 exact, 2 counter, 3 GCRA), window in
--            microseconds, and the two tokens the reservation's reply carried for it
-- Reply:     the number of limits whose state changed
--
--   1: removes the members the reservation added (its score, or "<score>:<unit>" per unit of a
--      larger cost). Members already trimmed (out of the window) are gone anyway: exact.
--   2: subtracts the cost from the bucket the units were added to: the stored bucket when it is
--      still that one, its previous-bucket count when the next bucket has started since, nothing
--      when the state is older (those units no longer count). Never below zero; expiry kept.
--   3: moves the TAT back by the part of the reservation's interval not yet elapsed,
--      min(moved, reserved TAT - now), never below now: exactly the state without the reservation
--      when no admission followed it, otherwise at most that much back (never past what the
--      remaining admissions alone would have left). A TAT at or below now is no state: deleted.
--
-- Numbers go to redis.call as Lua numbers, printed as check.lua's were when it wrote the members.

local function ms_ceil(us)
  local ms = math.ceil(us / 1000)
  if ms < 1 then ms = 1 end
  return ms
end

local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = t[1] * 1000000 + t[2]
end
local cost = tonumber(ARGV[2])
local changed = 0
for i = 1, #KEYS do
  local base = 3 + (i - 1) * 4
  local alg = ARGV[base]
  local window = tonumber(ARGV[base + 1])
  local a = tonumber(ARGV[base + 2])
  local b = tonumber(ARGV[base + 3])
  local key = KEYS[i]
  if alg == '1' then
    local removed = 0
    if cost == 1 then
      removed = redis.call('ZREM', key, a)
    else
      local prefix = string.format('%.0f', a) .. ':'
      local j = 1
      while j <= cost do
        local members = {}
        local last = math.min(cost, j + 499)
        for u = j, last do members[#members + 1] = prefix .. u end
        removed = removed + redis.call('ZREM', key, unpack(members))
        j = last + 1
      end
    end
    if removed > 0 then changed = changed + 1 end
  elseif alg == '2' then
    local v = redis.call('GET', key)
    if v then
      local s, c, p = string.match(v, '^(%d+):(%d+):(%d+)$')
      s = tonumber(s); c = tonumber(c); p = tonumber(p)
      if s ~= nil then
        if s == a and c > 0 then
          c = math.max(0, c - cost)
        elseif s == a + window and p > 0 then
          p = math.max(0, p - cost)
        else
          s = nil
        end
      end
      if s ~= nil then
        redis.call('SET', key, string.format('%.0f:%.0f:%.0f', s, c, p), 'KEEPTTL')
        changed = changed + 1
      end
    end
  else
    local tat = tonumber(redis.call('GET', key))
    local credit = math.min(b, a - now)
    if tat ~= nil and tat > now and credit > 0 then
      local back = tat - credit
      if back > now then
        redis.call('SET', key, back, 'PX', ms_ceil(back - now))
      else
        redis.call('DEL', key)
      end
      changed = changed + 1
    end
  end
end
return changed
