-- POST /api/queues/emails/jobs with a small email job (answered 202 {"id","state"}).
-- Usage: wrk ... -s enqueue.lua http://host:port
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "POST"
wrk.path = "/api/queues/emails/jobs"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"email","payload":{"to":"a@example.com","subject":"s","body":"b"}}'
