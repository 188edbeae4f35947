-- record.lua, included by the scripts that read job records (RedisScript's --#include).
-- header(rec): priority, max attempts and timeout ms of a record in format 1 ("1|priority|maxAttempts|timeoutMs|
-- createdMs|..." up to a newline), or nil when the record is not one this version can read (a newer format
-- during a rolling upgrade, a foreign write). Scripts call it before they change anything about the job.
-- bury(base, id, rec, dead, stats, events, maxlen, now): makes an unreadable job dead with the reason, counted in
-- stats 'dead' and 'unreadable'; its record stays as it is for inspection. The caller has already taken the
-- id out of the structure that held it.
local function header(rec)
  local p, m, t = string.match(rec, '^1|(-?%d+)|(%d+)|(%d+)|%d+|')
  if not p or not string.find(string.sub(rec, 1, 512), '\n', 1, true) then return nil end
  p = tonumber(p)
  if p < -1000 or p > 1000 then return nil end
  return p, tonumber(m), tonumber(t)
end
local function bury(base, id, rec, dead, stats, events, maxlen, now)
  local nows = string.format('%d', now)
  local start = string.gsub(string.sub(rec, 1, 40), '[%c]', '?')
  local sk = base .. 's:' .. id
  local h = (redis.call('HGET', sk, 'h') or '') .. 'x' .. nows .. ';'
  if #h > 400 then h = string.sub(h, string.find(h, ';', #h - 400, true) + 1) end
  redis.call('HSET', sk, 'fin', nows, 'h', h, 'e', 'unreadable job record (not a format this Redkit version reads), starting "'
    .. start .. '"', 'es', '')
  redis.call('ZADD', dead, now, id)
  redis.call('HINCRBY', stats, 'dead', 1)
  redis.call('HINCRBY', stats, 'unreadable', 1)
  if maxlen > 0 then redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'e', 'dead', 'j', id, 'err', 'unreadable record') end
end
