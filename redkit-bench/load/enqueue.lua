-- POST /api/queues/emails/jobs with a small email job (answered 202 {"id","state"}), as an admin:
-- the session cookie in REDKIT_COOKIE, the server's own origin in REDKIT_ORIGIN (server-load.sh logs in).
-- Usage: REDKIT_COOKIE=... REDKIT_ORIGIN=http://host:port wrk ... -s enqueue.lua http://host:port
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "POST"
wrk.path = "/api/queues/emails/jobs"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"email","payload":{"to":"a@example.com","subject":"s","body":"b"}}'
wrk.headers["Cookie"] = os.getenv("REDKIT_COOKIE") or ""
wrk.headers["Origin"] = os.getenv("REDKIT_ORIGIN") or ""
