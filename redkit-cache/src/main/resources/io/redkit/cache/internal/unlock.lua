-- Releases a cross-process load lock if this caller still holds it.
-- KEYS[1]  the lock key
-- ARGV[1]  the caller's lock token
-- reply    integer: 1 when released, 0 when the lock had expired or belongs to another caller
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
