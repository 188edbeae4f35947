-- Test helper: adds ARGV[2] members "<ARGV[3]><n>" with score ARGV[1] to each index in KEYS
-- (standalone Redis only: the keys are in different slots).
-- KEYS     user indexes; ARGV[1] score (ms); ARGV[2] members per index; ARGV[3] member prefix
-- Reply: the number of members added in total
local total = 0
for k = 1, #KEYS do
  local members = {}
  for i = 1, tonumber(ARGV[2]) do
    members[#members + 1] = ARGV[1]
    members[#members + 1] = ARGV[3] .. string.format('%06d', i)
  end
  total = total + redis.call('ZADD', KEYS[k], unpack(members))
end
return total
