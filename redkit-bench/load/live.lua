-- GET /health/live: no database, no cache, no rate limit, no session; the server's floor, what
-- HTTP, Jetty and the filters cost on this machine. Usage: wrk ... -s live.lua http://host:port
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function request()
  return wrk.format("GET", "/health/live")
end
