package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.QueueCounts;
import io.redkit.queue.QueueStats;
import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Json;
import io.redkit.server.http.Router;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job queue over HTTP: add, inspect, list, pause/resume, retry, remove. Only the server's
 * queues exist. Everything but adding a job is for admins only (401 anonymous, 403 ordinary users).
 * Adding: anonymous clients nothing (401); ordinary users a {@code report} in {@code reports}
 * for themselves (the job's metadata names them, their idempotency keys are theirs alone) within
 * their {@linkplain UserJobs quota}, at the default priority and attempts; admins anything.
 */
final class QueuesApi {
    /** Largest page of a job list. */
    static final int MAX_PAGE_SIZE = 200;

    private final Map<String, JobQueue> queues;
    private final Access access;
    private final UserJobs userJobs;

    QueuesApi(Map<String, JobQueue> queues, Access access, UserJobs userJobs) {
        this.queues = queues;
        this.access = access;
        this.userJobs = userJobs;
    }

    void register(Router r) {
        r.get("/api/queues", access.adminOnly(this::list));
        r.post("/api/queues/{queue}/jobs", this::add);
        r.get("/api/queues/{queue}/jobs", access.adminOnly(this::jobs));
        r.get("/api/queues/{queue}/jobs/{id}", access.adminOnly(this::job));
        r.post("/api/queues/{queue}/jobs/{id}/retry", access.adminOnly(this::retry));
        r.delete("/api/queues/{queue}/jobs/{id}", access.adminOnly(this::remove));
        r.post("/api/queues/{queue}/pause", access.adminOnly(ex -> { queue(ex).pause(); ex.json(200, summary(queue(ex))); }));
        r.post("/api/queues/{queue}/resume", access.adminOnly(ex -> { queue(ex).resume(); ex.json(200, summary(queue(ex))); }));
    }

    private JobQueue queue(Exchange ex) {
        JobQueue q = queues.get(ex.path("queue"));
        if (q == null) {
            throw new ApiException(404, "unknown_queue", "no queue '" + ex.path("queue") + "'; queues: " + queues.keySet());
        }
        return q;
    }

    private void list(Exchange ex) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JobQueue q : queues.values()) out.add(summary(q));
        ex.json(200, Map.of("queues", out));
    }

    static Map<String, Object> summary(JobQueue q) {
        QueueCounts c = q.counts();
        QueueStats s = q.stats();
        Map<String, Object> counts = new LinkedHashMap<>();
        for (JobState st : JobState.values()) counts.put(st.name().toLowerCase(Locale.ROOT), c.of(st));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", q.name());
        m.put("counts", counts);
        m.put("paused", c.paused());
        m.put("throughputPerMinute", s.completedPerMinute());
        m.put("completedLastHour", s.completedLastHour());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("added", s.added());
        totals.put("completed", s.completed());
        totals.put("failed", s.failed());
        totals.put("retried", s.retried());
        totals.put("stalled", s.stalled());
        totals.put("dead", s.dead());
        m.put("totals", totals);
        m.put("processingTimeP50Millis", s.processingTimePercentile(0.5).toMillis());
        m.put("processingTimeP99Millis", s.processingTimePercentile(0.99).toMillis());
        return m;
    }

    /** What an ordinary user may add: a report, for themselves. */
    static final String USER_QUEUE = "reports";
    static final String USER_TYPE = "report";

    private void add(Exchange ex) throws java.sql.SQLException {
        Users.User user = access.user(ex);
        JobQueue q = queue(ex);
        JsonNode body = ex.body();
        String type = body.path("type").asText("");
        if (type.isBlank()) throw ApiException.badRequest("type is required; known types: " + ServerJobs.TYPES);
        if (!ServerJobs.TYPES.contains(type)) {
            throw ApiException.badRequest("unknown job type '" + type + "'; known types: " + ServerJobs.TYPES);
        }
        if (!user.admin()) checkUserMayAdd(user, q, type, body);
        JobOptions.Builder o = JobOptions.builder();
        try {
            if (body.has("priority")) o.priority(intField(body, "priority"));
            if (body.has("delayMs")) o.delay(Duration.ofMillis(longField(body, "delayMs")));
            if (body.has("maxAttempts")) o.maxAttempts(intField(body, "maxAttempts"));
            if (body.hasNonNull("idempotencyKey")) {
                String key = body.get("idempotencyKey").asText();
                // a user's keys are theirs alone: another user's same key neither collides nor reveals a job id
                o.idempotencyKey(user.admin() ? key : "user:" + user.id() + ":" + key);
            }
            if (!user.admin()) o.metadata("user", String.valueOf(user.id()));
            JsonNode payload = body.get("payload");
            byte[] bytes = payload == null || payload.isNull() ? null : Json.MAPPER.writeValueAsBytes(payload);
            if (!user.admin() && bytes != null && bytes.length > userJobs.quota().payloadBytes()) {
                throw new ApiException(413, "payload_too_large", "the payload is " + bytes.length + " bytes; an account's jobs may hold "
                        + userJobs.quota().payloadBytes() + " (REDKIT_USER_JOB_PAYLOAD_BYTES)");
            }
            JobOptions options = o.build();
            JobQueue.Added e = user.admin() ? q.addReportingDuplicate(type, bytes, options)
                    : userJobs.add(user.id(), q, type, bytes, options);
            JobInfo info = q.get(e.id()).orElse(null);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", e.id());
            out.put("state", info == null ? "unknown" : info.state().name().toLowerCase(Locale.ROOT));
            out.put("created", e.created());
            ex.json(e.created() ? 202 : 200, out);
        } catch (IllegalArgumentException | IllegalStateException bad) {
            throw ApiException.badRequest(bad.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("payload cannot be encoded: " + e.getOriginalMessage());
        }
    }

    /** 403 unless an ordinary user may add this: a report in reports, default priority and attempts, a bounded delay. */
    private void checkUserMayAdd(Users.User user, JobQueue q, String type, JsonNode body) {
        String refusal = null;
        if (!type.equals(USER_TYPE)) {
            refusal = "an account may add '" + USER_TYPE + "' jobs only" + (type.equals("email") ? " (e-mails come from the server itself)" : "");
        } else if (!q.name().equals(USER_QUEUE)) {
            refusal = "an account may add jobs to the '" + USER_QUEUE + "' queue only";
        } else if (body.has("priority") || body.has("maxAttempts")) {
            refusal = "an account's jobs run at the default priority and attempts: leave out priority and maxAttempts";
        } else if (body.has("delayMs") && body.get("delayMs").isIntegralNumber()
                && body.get("delayMs").longValue() > userJobs.quota().maxDelay().toMillis()) {
            refusal = "an account's jobs may be delayed by at most " + userJobs.quota().maxDelay().toMillis()
                    + " ms (REDKIT_USER_JOB_MAX_DELAY)";
        }
        if (refusal != null) {
            AuthApi.AUDIT.info("forbidden user={} method=POST path=/api/queues/{}/jobs type={}", user.id(), q.name(), type);
            throw new ApiException(403, "forbidden", refusal);
        }
    }

    private static int intField(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw ApiException.badRequest(name + " must be an integer: " + n);
        return n.intValue();
    }

    private static long longField(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw ApiException.badRequest(name + " must be an integer: " + n);
        return n.longValue();
    }

    private void jobs(Exchange ex) {
        JobQueue q = queue(ex);
        String s = ex.query("state");
        JobState state;
        try {
            state = JobState.valueOf((s == null ? "waiting" : s).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("state must be one of waiting, delayed, active, retrying, completed, dead: '" + s + "'");
        }
        int page = ex.queryInt("page", 1, 1, 1_000_000);
        int size = ex.queryInt("size", 20, 1, MAX_PAGE_SIZE);
        List<Map<String, Object>> items = new ArrayList<>();
        for (JobInfo j : q.list(state, (page - 1) * size, size)) items.add(brief(j));
        ex.json(200, Map.of("state", state.name().toLowerCase(Locale.ROOT), "page", page, "size", size, "items", items));
    }

    private void job(Exchange ex) {
        JobQueue q = queue(ex);
        String id = ex.path("id");
        JobInfo j = q.get(id).orElseThrow(() -> ApiException.notFound("no job '" + id + "' in queue " + q.name()));
        Map<String, Object> m = brief(j);
        m.put("priority", j.priority());
        m.put("maxAttempts", j.maxAttempts());
        m.put("payload", json(j.payload()));
        m.put("result", json(j.result()));
        m.put("progress", json(j.progress()));
        m.put("createdAt", str(j.createdAt()));
        m.put("scheduledAt", str(j.scheduledAt()));
        m.put("startedAt", str(j.startedAt()));
        m.put("stackTrace", j.stackTrace());
        List<Map<String, Object>> history = new ArrayList<>();
        for (JobInfo.HistoryEntry h : j.history()) history.add(Map.of("event", h.event(), "at", h.at().toString()));
        m.put("history", history);
        q.explain(id).ifPresent(e -> m.put("explain", e));
        ex.json(200, m);
    }

    private void retry(Exchange ex) {
        JobQueue q = queue(ex);
        String id = ex.path("id");
        if (q.get(id).isEmpty()) throw ApiException.notFound("no job '" + id + "' in queue " + q.name());
        if (!q.retry(id)) throw new ApiException(409, "not_retryable", "job " + id + " is not dead; only dead jobs can be retried");
        ex.json(200, Map.of("id", id, "state", q.get(id).map(j -> j.state().name().toLowerCase(Locale.ROOT)).orElse("unknown")));
    }

    private void remove(Exchange ex) {
        JobQueue q = queue(ex);
        String id = ex.path("id");
        if (!q.remove(id)) throw ApiException.notFound("no job '" + id + "' in queue " + q.name());
        ex.status(204);
    }

    static Map<String, Object> brief(JobInfo j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("type", j.type());
        m.put("state", j.state().name().toLowerCase(Locale.ROOT));
        m.put("attempts", j.attempts());
        m.put("lastError", j.error());
        return m;
    }

    private static Object json(byte[] bytes) {
        if (bytes == null || bytes.length == 0) return null;
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
