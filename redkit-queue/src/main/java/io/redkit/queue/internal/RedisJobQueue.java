package io.redkit.queue.internal;

import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.Limit;
import io.redkit.core.Namespace;
import io.redkit.core.RedisNamespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitException;
import io.redkit.core.codec.PayloadTooLargeException;
import io.redkit.core.internal.Checks;
import io.redkit.queue.Backoff;
import io.redkit.queue.EventType;
import io.redkit.queue.JobHandler;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.NewJob;
import io.redkit.queue.QueueCounts;
import io.redkit.queue.QueueEvent;
import io.redkit.queue.QueueEventListener;
import io.redkit.queue.QueueException;
import io.redkit.queue.QueueOptions;
import io.redkit.queue.QueueStats;
import io.redkit.queue.RateLimit;
import io.redkit.queue.RepeatInfo;
import io.redkit.queue.RepeatSchedule;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/** The {@link JobQueue} on Redis. Thread-safe. */
public final class RedisJobQueue implements JobQueue {
    /** Jobs per enqueue script call in {@link #addBulk}. */
    static final int BULK_BATCH = 500;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME_LENGTH + "}");
    private static final Pattern NO_CONTROL = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    private static final int MAX_ERROR = 1024;
    private static final int MAX_STACK = 4096;
    /** The type {@link #get} reports for a job whose record this version cannot read; its payload is the raw record. */
    static final String UNREADABLE_TYPE = "(unreadable record)";

    private final Redkit redkit;
    private final RedisNamespace ns;
    private final String name;
    private final QueueOptions options;
    private final KeySpace keys;
    /** Tests only: the "now" the scripts use instead of Redis TIME; null = Redis TIME. */
    volatile java.util.function.LongSupplier scriptClock;
    /** Adds that wait for replicas, or null. */
    private final ReplicatedAdds replicated;

    public RedisJobQueue(Redkit redkit, String name, QueueOptions options) {
        Checks.notNull(redkit, "redkit");
        this.name = validateName(name);
        this.options = Checks.notNull(options, "options");
        this.redkit = redkit;
        this.ns = redkit.namespace(Namespace.QUEUE);
        this.keys = new KeySpace(ns, name);
        this.replicated = options.replicationWaitReplicas() > 0
                ? new ReplicatedAdds(this, ns, options.replicationWaitReplicas(), options.replicationWaitTimeout().toMillis())
                : null;
    }

    /** Checks a queue name: 1 to 100 of {@code [A-Za-z0-9._-]}. */
    public static String validateName(String name) {
        Checks.notNull(name, "queue name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("queue name must be 1 to " + MAX_NAME_LENGTH
                    + " characters of [A-Za-z0-9._-]: \"" + name + "\"");
        }
        return name;
    }

    static String validateType(String type, String what) {
        Checks.notNull(type, what);
        if (!NO_CONTROL.matcher(type).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 200 characters without control characters: \"" + type + "\"");
        }
        return type;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public QueueOptions options() {
        return options;
    }

    /** This queue's keys. */
    public KeySpace keys() {
        return keys;
    }

    RedisNamespace namespace() {
        return ns;
    }

    Redkit redkit() {
        return redkit;
    }

    // ------------------------------------------------------------------ producing

    @Override
    public String add(String type, Object payload) {
        return add(type, payload, options.jobDefaults());
    }

    @Override
    public String add(String type, Object payload, JobOptions jobOptions) {
        return addReportingDuplicate(type, payload, jobOptions).id();
    }

    @Override
    public Added addReportingDuplicate(String type, Object payload, JobOptions jobOptions) {
        List<Object> args = new ArrayList<>();
        appendJob(args, type, payload, jobOptions);
        List<Object> reply = replicated != null ? replicated.enqueue(keys.enqueue(), enqueueArgs(1, args))
                : ns.evalSync(Scripts.ENQUEUE, ScriptOutputType.MULTI, keys.enqueue(), enqueueArgs(1, args));
        return new Added(Replies.str(reply.get(0)), Replies.lng(reply.get(1)) == 1);
    }

    @Override
    public CompletableFuture<String> addAsync(String type, Object payload, JobOptions jobOptions, Executor executor) {
        Checks.notNull(executor, "executor");
        List<Object> args = new ArrayList<>();
        appendJob(args, type, payload, jobOptions);
        if (replicated != null) {
            Object[] a = enqueueArgs(1, args);
            return CompletableFuture.supplyAsync(() -> Replies.str(replicated.enqueue(keys.enqueue(), a).get(0)), executor);
        }
        return ns.<List<Object>>eval(Scripts.ENQUEUE, ScriptOutputType.MULTI, keys.enqueue(), enqueueArgs(1, args))
                .thenApplyAsync(r -> Replies.str(r.get(0)), executor);
    }

    @Override
    public List<String> addBulk(List<NewJob> jobs) {
        Checks.notNull(jobs, "jobs");
        List<List<Object>> batches = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        List<Object> cur = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < jobs.size(); i++) {
            NewJob j = Checks.notNull(jobs.get(i), "jobs[" + i + "]");
            try {
                appendJob(cur, j.type(), j.payload(), j.options() == null ? options.jobDefaults() : j.options());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("jobs[" + i + "]: " + e.getMessage(), e);
            }
            if (++n == BULK_BATCH) {
                batches.add(cur);
                sizes.add(n);
                cur = new ArrayList<>();
                n = 0;
            }
        }
        if (n > 0) {
            batches.add(cur);
            sizes.add(n);
        }
        List<CompletableFuture<List<Object>>> futures = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            if (replicated != null) {
                futures.add(CompletableFuture.completedFuture(replicated.enqueue(keys.enqueue(), enqueueArgs(sizes.get(b), batches.get(b)))));
                continue;
            }
            futures.add(ns.eval(Scripts.ENQUEUE, ScriptOutputType.MULTI, keys.enqueue(), enqueueArgs(sizes.get(b), batches.get(b))));
        }
        List<String> ids = new ArrayList<>(jobs.size());
        for (CompletableFuture<List<Object>> f : futures) {
            List<Object> reply = ns.await("script enqueue.lua", f);
            for (int i = 0; i < reply.size(); i += 2) {
                ids.add(Replies.str(reply.get(i)));
            }
        }
        return ids;
    }

    private Object[] enqueueArgs(int count, List<Object> jobArgs) {
        Object[] a = new Object[4 + jobArgs.size()];
        a[0] = keys.base();
        a[1] = now();
        a[2] = options.eventStreamMaxLength();
        a[3] = count;
        for (int i = 0; i < jobArgs.size(); i++) {
            a[4 + i] = jobArgs.get(i);
        }
        return a;
    }

    /** Validates and appends the 6 enqueue arguments of one job. */
    private void appendJob(List<Object> args, String type, Object payload, JobOptions o) {
        Checks.notNull(o, "options");
        JobRecord rec = record(type, payload, o, options.clock().millis());
        args.add(rec.encode());
        args.add(o.priority());
        args.add(o.runAt() == null && !o.delay().isZero() ? String.valueOf(o.delay().toMillis()) : "");
        args.add(o.runAt() == null ? "" : String.valueOf(o.runAt().toEpochMilli()));
        args.add(o.idempotencyKey() == null ? "" : o.idempotencyKey());
        args.add(o.idempotencyWindow().toMillis());
    }

    JobRecord record(String type, Object payload, JobOptions o, long createdMs) {
        validateType(type, "type");
        char kind;
        byte[] bytes;
        if (payload == null) {
            kind = 'n';
            bytes = new byte[0];
        } else if (payload instanceof byte[]) {
            kind = 'b';
            bytes = (byte[]) payload;
        } else {
            kind = 'j';
            bytes = options.codec().encode(payload);
        }
        if (bytes.length > options.maxPayloadSize()) {
            throw new PayloadTooLargeException("payload of job type " + type, bytes.length, options.maxPayloadSize());
        }
        return new JobRecord(o.priority(), o.maxAttempts(), o.timeout().toMillis(), createdMs, o.backoff(), kind, type,
                o.metadata(), bytes);
    }

    // ------------------------------------------------------------------ worker side

    @Override
    public Worker worker(JobHandler handler, WorkerOptions workerOptions) {
        return startWorker(List.of(this), handler, workerOptions);
    }

    /** Starts a worker on {@code queues}. */
    public static Worker startWorker(Collection<JobQueue> queues, JobHandler handler, WorkerOptions workerOptions) {
        Checks.notNull(queues, "queues");
        Checks.notNull(handler, "handler");
        Checks.notNull(workerOptions, "workerOptions");
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("a worker needs at least one queue");
        }
        List<RedisJobQueue> qs = new ArrayList<>();
        for (JobQueue q : queues) {
            if (!(q instanceof RedisJobQueue)) {
                throw new IllegalArgumentException("not a Redkit queue: " + q);
            }
            for (RedisJobQueue other : qs) {
                if (other.name.equals(q.name())) {
                    throw new IllegalArgumentException("queue " + q.name() + " is listed twice");
                }
            }
            qs.add((RedisJobQueue) q);
        }
        return new DefaultWorker(qs, handler, workerOptions);
    }

    /**
     * A job handed out by {@code fetch.lua}; {@code record} is null when this version cannot decode it
     * ({@code unreadable} says why): the worker then makes it dead instead of running it.
     */
    record Fetched(String id, JobRecord record, int attempt, long token, long deadlineMs, String unreadable) {
        Fetched(String id, JobRecord record, int attempt, long token, long deadlineMs) {
            this(id, record, attempt, token, deadlineMs, null);
        }
    }

    /** The reply of {@code fetch.lua}. */
    record FetchReply(List<Long> statuses, long wakeMs, List<Fetched> jobs) {
    }

    /** A finished job to report in the next fetch call. */
    record Completion(String id, long token, byte[] result) {
    }

    CompletableFuture<FetchReply> fetch(String workerId, int count, long leaseMs, List<Completion> completions) {
        RateLimit rl = options.rateLimit();
        Object[] a = new Object[14 + completions.size() * 3];
        a[0] = keys.base();
        a[1] = now();
        a[2] = options.eventStreamMaxLength();
        a[3] = workerId;
        a[4] = count;
        a[5] = leaseMs;
        a[6] = options.maxStalls();
        a[7] = rl == null ? 0 : rl.max();
        a[8] = rl == null ? 0 : rl.period().toMillis();
        a[9] = options.completedRetention().maxCount();
        a[10] = options.completedRetention().maxAge().toMillis();
        a[11] = options.deadRetention().maxCount();
        a[12] = options.deadRetention().maxAge().toMillis();
        a[13] = completions.size();
        int i = 14;
        for (Completion c : completions) {
            a[i++] = c.id;
            a[i++] = c.token;
            if (c.result == null) {
                a[i++] = "0";
            } else {
                byte[] r = new byte[c.result.length + 1];
                r[0] = '1';
                System.arraycopy(c.result, 0, r, 1, c.result.length);
                a[i++] = r;
            }
        }
        return ns.<List<Object>>eval(Scripts.FETCH, ScriptOutputType.MULTI, keys.fetch(), a).thenApply(RedisJobQueue::parseFetch);
    }

    private static FetchReply parseFetch(List<Object> reply) {
        List<Long> statuses = new ArrayList<>();
        for (Object o : Replies.list(reply.get(0))) {
            statuses.add(Replies.lng(o));
        }
        long wake = Replies.lng(reply.get(1));
        List<Fetched> jobs = new ArrayList<>(reply.size() - 2);
        for (int i = 2; i < reply.size(); i++) {
            List<Object> j = Replies.list(reply.get(i));
            String dl = Replies.str(j.get(4));
            JobRecord rec = null;
            String unreadable = null;
            try {
                rec = JobRecord.decode(Replies.bytes(j.get(1)));
            } catch (RuntimeException e) {
                unreadable = "unreadable job record: " + e.getMessage();
            }
            jobs.add(new Fetched(Replies.str(j.get(0)), rec, (int) Replies.lng(j.get(2)),
                    Replies.lng(j.get(3)), dl == null || dl.isEmpty() ? 0 : Long.parseLong(dl), unreadable));
        }
        return new FetchReply(statuses, wake, jobs);
    }

    CompletableFuture<Long> fail(String id, long token, long retryDelayMs, String error, String stack) {
        return ns.eval(Scripts.FAIL, ScriptOutputType.INTEGER, keys.fail(), keys.base(), now(), options.eventStreamMaxLength(), id,
                token, retryDelayMs, truncate(error, MAX_ERROR), truncate(stack, MAX_STACK),
                options.deadRetention().maxCount(), options.deadRetention().maxAge().toMillis());
    }

    CompletableFuture<Long> release(List<Map.Entry<String, Long>> jobs) {
        Object[] a = new Object[3 + jobs.size() * 2];
        a[0] = keys.base();
        a[1] = now();
        a[2] = options.eventStreamMaxLength();
        int i = 3;
        for (Map.Entry<String, Long> e : jobs) {
            a[i++] = e.getKey();
            a[i++] = e.getValue();
        }
        return ns.eval(Scripts.RELEASE, ScriptOutputType.INTEGER, keys.release(), a);
    }

    CompletableFuture<List<String>> renew(List<Map.Entry<String, Long>> jobs, long leaseMs) {
        Object[] a = new Object[3 + jobs.size() * 2];
        a[0] = keys.base();
        a[1] = now();
        a[2] = leaseMs;
        int i = 3;
        for (Map.Entry<String, Long> e : jobs) {
            a[i++] = e.getKey();
            a[i++] = e.getValue();
        }
        return ns.<List<Object>>eval(Scripts.RENEW, ScriptOutputType.MULTI, new String[]{keys.active}, a).thenApply(Replies::strings);
    }

    boolean progress(String id, long token, Object progress) {
        byte[] p = progress instanceof byte[] ? (byte[]) progress : options.codec().encode(progress);
        Long r = ns.evalSync(Scripts.PROGRESS, ScriptOutputType.INTEGER, new String[]{keys.active, keys.events}, keys.base(),
                options.eventStreamMaxLength(), id, token, p);
        return r == 1;
    }

    private String now() {
        java.util.function.LongSupplier c = scriptClock;
        return c == null ? "" : String.valueOf(c.getAsLong());
    }

    static String truncate(String s, int max) {
        if (s == null) return "";
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    // ------------------------------------------------------------------ inspection

    @Override
    public Optional<JobInfo> get(String id) {
        if (!validId(id)) {
            return Optional.empty();
        }
        List<Object> r = getRaw(id, false);
        return r == null ? Optional.empty() : Optional.of(toInfo(id, r));
    }

    private static boolean validId(String id) {
        Checks.notNull(id, "job id");
        if (id.isEmpty() || id.length() > 20) return false;
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') return false;
        }
        return true;
    }

    private List<Object> getRaw(String id, boolean ahead) {
        RateLimit rl = options.rateLimit();
        return found(ns.evalSync(Scripts.GET, ScriptOutputType.MULTI, keys.get(), keys.base(), id, rl == null ? 0 : rl.max(),
                rl == null ? 0 : rl.period().toMillis(), ahead ? "1" : "0"));
    }

    /** A nil script reply arrives as null or as a list holding null. */
    private static List<Object> found(List<Object> r) {
        return r == null || r.isEmpty() || r.get(0) == null ? null : r;
    }

    private JobInfo toInfo(String id, List<Object> r) {
        byte[] raw = Replies.bytes(r.get(0));
        JobRecord rec;
        try {
            rec = JobRecord.decode(raw);
        } catch (RuntimeException e) {
            // a record this version cannot read (a newer format, a foreign write): shown as it is stored
            rec = new JobRecord(0, 0, 0, 0, Backoff.none(), 'b', UNREADABLE_TYPE, Map.of(), raw);
        }
        Map<String, byte[]> h = new HashMap<>();
        List<Object> flat = Replies.list(r.get(1));
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            h.put(Replies.str(flat.get(i)), Replies.bytes(flat.get(i + 1)));
        }
        JobState state = JobState.valueOf(Replies.str(r.get(2)).toUpperCase(java.util.Locale.ROOT));
        String score = Replies.str(r.get(3));
        Instant scheduled = score == null || score.isEmpty() ? null : Instant.ofEpochMilli(Replies.lng(score));
        return new JobInfo(id, name, rec.type(), state, rec.priority(), (int) num(h, "a"), rec.maxAttempts(), (int) num(h, "sc"),
                Instant.ofEpochMilli(rec.createdMs()), scheduled, h.containsKey("st") ? Instant.ofEpochMilli(num(h, "st")) : null,
                s(h, "w"), rec.payload(), h.get("r"), h.get("p"), emptyToNull(s(h, "e")), emptyToNull(s(h, "es")),
                Duration.ofMillis(rec.timeoutMs()), rec.backoff(), rec.metadata(), history(s(h, "h")));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static long num(Map<String, byte[]> h, String f) {
        byte[] v = h.get(f);
        return v == null ? 0 : Replies.lng(v);
    }

    private static String s(Map<String, byte[]> h, String f) {
        byte[] v = h.get(f);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    private static final Map<Character, String> HISTORY = Map.of('a', "active", 'c', "completed", 'r', "retrying", 'x', "dead",
            's', "stalled", 'w', "waiting");

    private static List<JobInfo.HistoryEntry> history(String h) {
        if (h == null || h.isEmpty()) return List.of();
        List<JobInfo.HistoryEntry> out = new ArrayList<>();
        for (String e : h.split(";")) {
            if (e.length() < 2) continue;
            try {
                out.add(new JobInfo.HistoryEntry(HISTORY.getOrDefault(e.charAt(0), String.valueOf(e.charAt(0))),
                        Instant.ofEpochMilli(Long.parseLong(e.substring(1)))));
            } catch (NumberFormatException ignored) {
                // a truncated entry
            }
        }
        return List.copyOf(out);
    }

    @Override
    public List<JobInfo> list(JobState state, int offset, int limit) {
        Checks.notNull(state, "state");
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative: " + offset);
        Checks.inRange(limit, 1, 1000, "limit");
        List<Object> ids = ns.evalSync(Scripts.LIST, ScriptOutputType.MULTI,
                new String[]{keys.wait, keys.prioritized, keys.zsetOf(state)}, state.id(), offset, limit);
        RateLimit rl = options.rateLimit();
        List<CompletableFuture<List<Object>>> fs = new ArrayList<>();
        List<String> idList = Replies.strings(ids);
        for (String id : idList) {
            fs.add(ns.eval(Scripts.GET, ScriptOutputType.MULTI, keys.get(), keys.base(), id, rl == null ? 0 : rl.max(),
                    rl == null ? 0 : rl.period().toMillis(), "0"));
        }
        List<JobInfo> out = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) {
            List<Object> r = found(ns.await("script get.lua", fs.get(i)));
            if (r != null) out.add(toInfo(idList.get(i), r));
        }
        return out;
    }

    @Override
    public QueueCounts counts() {
        List<Object> r = ns.evalSync(Scripts.COUNTS, ScriptOutputType.MULTI, keys.counts());
        return new QueueCounts(Replies.lng(r.get(0)), Replies.lng(r.get(1)), Replies.lng(r.get(2)), Replies.lng(r.get(3)),
                Replies.lng(r.get(4)), Replies.lng(r.get(5)), Replies.lng(r.get(6)) == 1);
    }

    @Override
    public Optional<String> explain(String id) {
        if (!validId(id)) return Optional.empty();
        List<Object> r = getRaw(id, true);
        if (r == null) return Optional.empty();
        JobInfo j = toInfo(id, r);
        long now = Replies.lng(r.get(4));
        boolean paused = Replies.lng(r.get(5)) == 1;
        long ahead = Replies.lng(r.get(6));
        long rlWait = Replies.lng(r.get(7));
        boolean atLeast = r.size() > 8 && Replies.lng(r.get(8)) == 1;
        StringBuilder sb = new StringBuilder("job " + id + " (" + j.type() + ") is " + j.state().id());
        switch (j.state()) {
            case DELAYED:
                sb.append(" until ").append(j.scheduledAt()).append(" (in ").append(Duration.ofMillis(Math.max(0, j.scheduledAt().toEpochMilli() - now))).append(")");
                break;
            case RETRYING:
                sb.append(": attempt ").append(j.attempts()).append(" of ").append(j.maxAttempts()).append(" failed")
                        .append(j.error() == null ? "" : " with \"" + j.error() + "\"").append("; next attempt at ")
                        .append(j.scheduledAt());
                break;
            case ACTIVE:
                sb.append(": attempt ").append(j.attempts()).append(" of ").append(j.maxAttempts()).append(" running on worker ")
                        .append(j.workerId()).append(" since ").append(j.startedAt()).append(", lease until ").append(j.scheduledAt());
                break;
            case COMPLETED:
                sb.append(" at ").append(j.scheduledAt()).append(" after ").append(j.attempts()).append(" attempt(s)");
                break;
            case DEAD:
                sb.append(" since ").append(j.scheduledAt()).append(" because ")
                        .append(j.error() == null ? "it failed" : "\"" + j.error() + "\"")
                        .append(" (").append(j.attempts()).append(" of ").append(j.maxAttempts()).append(" attempts, ")
                        .append(j.stalls()).append(" stalls)");
                break;
            default:
                if (paused) {
                    sb.append(": the queue is paused");
                } else if (rlWait > 0) {
                    sb.append(": the queue is rate-limited for ").append(Duration.ofMillis(rlWait));
                } else if (ahead > 0) {
                    sb.append(": behind ").append(atLeast ? "more than " : "").append(ahead).append(" job(s) that run first (priority ").append(j.priority())
                            .append(", higher runs first, FIFO within a priority)");
                } else {
                    sb.append(": next to run; it starts as soon as a worker has free capacity");
                }
        }
        return Optional.of(sb.toString());
    }

    @Override
    public QueueStats stats() {
        List<Object> r = ns.evalSync(Scripts.STATS, ScriptOutputType.MULTI, new String[]{keys.stats});
        long now = Replies.lng(r.get(0));
        Map<String, Long> h = new HashMap<>();
        List<Object> flat = Replies.list(r.get(1));
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            h.put(Replies.str(flat.get(i)), Replies.lng(flat.get(i + 1)));
        }
        long minute = now / 60_000;
        List<Long> perMinute = new ArrayList<>(60);
        for (long m = minute - 59; m <= minute; m++) {
            long slot = m % 60;
            Long at = h.get("m" + slot);
            perMinute.add(at != null && at == m ? h.getOrDefault("c" + slot, 0L) : 0L);
        }
        int maxBucket = -1;
        for (String k : h.keySet()) {
            if (k.startsWith("h")) maxBucket = Math.max(maxBucket, Integer.parseInt(k.substring(1)));
        }
        List<Long> hist = new ArrayList<>();
        for (int b = 0; b <= maxBucket; b++) {
            hist.add(h.getOrDefault("h" + b, 0L));
        }
        return new QueueStats(h.getOrDefault("added", 0L), h.getOrDefault("completed", 0L), h.getOrDefault("failed", 0L),
                h.getOrDefault("retried", 0L), h.getOrDefault("stalled", 0L), h.getOrDefault("dead", 0L), h.getOrDefault("unreadable", 0L),
                List.copyOf(perMinute), List.copyOf(hist));
    }

    @Override
    public <T> T decode(byte[] bytes, Type type) {
        if (bytes == null) return null;
        if (type == byte[].class) {
            @SuppressWarnings("unchecked")
            T t = (T) bytes;
            return t;
        }
        return options.codec().decode(bytes, type);
    }

    // ------------------------------------------------------------------ operations

    @Override
    public boolean pause() {
        Long r = ns.evalSync(Scripts.PAUSE, ScriptOutputType.INTEGER, new String[]{keys.meta, keys.events, keys.marker}, "1",
                options.eventStreamMaxLength());
        return r == 1;
    }

    @Override
    public boolean resume() {
        Long r = ns.evalSync(Scripts.PAUSE, ScriptOutputType.INTEGER, new String[]{keys.meta, keys.events, keys.marker}, "0",
                options.eventStreamMaxLength());
        return r == 1;
    }

    @Override
    public boolean retry(String id) {
        if (!validId(id)) return false;
        Long r = ns.evalSync(Scripts.RETRY, ScriptOutputType.INTEGER, keys.retry(), keys.base(), now(), options.eventStreamMaxLength(), id, 1);
        return r > 0;
    }

    @Override
    public long retryAllDead() {
        long total = 0;
        while (true) {
            Long r = ns.evalSync(Scripts.RETRY, ScriptOutputType.INTEGER, keys.retry(), keys.base(), now(), options.eventStreamMaxLength(), "", 1000);
            total += r;
            if (r < 1000) return total;
        }
    }

    @Override
    public boolean remove(String id) {
        if (!validId(id)) return false;
        Long r = ns.evalSync(Scripts.REMOVE, ScriptOutputType.INTEGER, keys.remove(), keys.base(), options.eventStreamMaxLength(), id);
        if (r < 0) {
            throw new QueueException(name, "job " + id + " is active and cannot be removed; let it finish or stop its worker first");
        }
        return r == 1;
    }

    @Override
    public long drain(boolean includeDelayed) {
        long total = 0;
        while (true) {
            Long r = ns.evalSync(Scripts.DRAIN, ScriptOutputType.INTEGER, keys.drain(), keys.base(), includeDelayed ? "1" : "0", 1000);
            total += r;
            if (r == 0) return total;
        }
    }

    // ------------------------------------------------------------------ repeatable jobs

    @Override
    public RepeatInfo repeat(String repeatName, RepeatSchedule schedule, String type, Object payload, JobOptions jobOptions) {
        validateType(repeatName, "repeat name");
        Checks.notNull(schedule, "schedule");
        Checks.notNull(jobOptions, "options");
        JobRecord rec = record(type, payload, jobOptions, 0);
        long now = redisNow();
        Optional<Instant> first = schedule.nextAfter(Instant.ofEpochMilli(now));
        if (first.isEmpty()) {
            throw new IllegalArgumentException("schedule " + schedule + " has no occurrence after " + Instant.ofEpochMilli(now));
        }
        byte[] spec = (schedule.spec() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] r = rec.encode();
        byte[] def = new byte[spec.length + r.length];
        System.arraycopy(spec, 0, def, 0, spec.length);
        System.arraycopy(r, 0, def, spec.length, r.length);
        ns.evalSync(Scripts.REPEAT_PUT, ScriptOutputType.INTEGER, new String[]{keys.repeats, keys.repeatDefs}, repeatName, def,
                first.get().toEpochMilli());
        return new RepeatInfo(repeatName, schedule, type, first.get());
    }

    @Override
    public boolean removeRepeat(String repeatName) {
        validateType(repeatName, "repeat name");
        Long r = ns.evalSync(Scripts.REPEAT_REMOVE, ScriptOutputType.INTEGER, new String[]{keys.repeats, keys.repeatDefs}, repeatName);
        return r == 1;
    }

    @Override
    public List<RepeatInfo> repeats() {
        List<io.lettuce.core.ScoredValue<byte[]>> all = ns.await("repeats", ns.async().zrangeWithScores(keys.repeats, 0, -1));
        Map<String, byte[]> defs = ns.await("repeat definitions", ns.async().hgetall(keys.repeatDefs));
        List<RepeatInfo> out = new ArrayList<>();
        for (io.lettuce.core.ScoredValue<byte[]> sv : all) {
            String n = new String(sv.getValue(), StandardCharsets.UTF_8);
            byte[] def = defs.get(n);
            if (def == null) continue;
            RepeatDef d = RepeatDef.parse(def);
            out.add(new RepeatInfo(n, d.schedule(), d.record().type(), Instant.ofEpochMilli((long) sv.getScore())));
        }
        return out;
    }

    /** A stored repeatable job definition: its schedule and its job record template. */
    record RepeatDef(RepeatSchedule schedule, JobRecord record) {
        static RepeatDef parse(byte[] def) {
            int nl = 0;
            while (nl < def.length && def[nl] != '\n') nl++;
            RepeatSchedule s = RepeatSchedule.parse(new String(def, 0, nl, StandardCharsets.UTF_8));
            return new RepeatDef(s, JobRecord.decode(java.util.Arrays.copyOfRange(def, nl + 1, def.length)));
        }
    }

    /**
     * Adds the jobs of every due repeat occurrence this caller manages to claim.
     *
     * @return ms until the next occurrence, or -1 when none is scheduled
     */
    long runDueRepeats() {
        List<Object> r = ns.evalSync(Scripts.REPEAT_DUE, ScriptOutputType.MULTI, new String[]{keys.repeats, keys.repeatDefs}, now(), 100);
        long now = Replies.lng(r.get(0));
        long wait = Replies.lng(r.get(1));
        for (int i = 2; i + 2 < r.size(); i += 3) {
            String repeatName = Replies.str(r.get(i));
            long due = Replies.lng(r.get(i + 1));
            byte[] def = Replies.bytes(r.get(i + 2));
            long next = -1;
            JobRecord rec;
            try {
                RepeatDef d = RepeatDef.parse(def);
                next = d.schedule().nextAfter(Instant.ofEpochMilli(due), Instant.ofEpochMilli(now)).map(Instant::toEpochMilli).orElse(-1L);
                rec = d.record().withCreatedMs(due);
            } catch (RuntimeException e) {
                throw new QueueException(name, "repeatable job " + repeatName + " has an unreadable definition", e);
            }
            ns.evalSync(Scripts.REPEAT_CLAIM, ScriptOutputType.VALUE, keys.repeatClaim(), keys.base(), options.eventStreamMaxLength(),
                    repeatName, due, next, rec.encode(), rec.priority());
            if (next >= 0 && (wait < 0 || next - now < wait)) {
                wait = Math.max(1, next - now);
            }
        }
        return wait;
    }

    long redisNow() {
        List<byte[]> t = ns.await("time", ns.async().time());
        return Long.parseLong(new String(t.get(0), StandardCharsets.US_ASCII)) * 1000
                + Long.parseLong(new String(t.get(1), StandardCharsets.US_ASCII)) / 1000;
    }

    // ------------------------------------------------------------------ events

    @Override
    public List<QueueEvent> events(String afterId, int limit) {
        Checks.notNull(afterId, "afterId");
        Checks.inRange(limit, 1, 10_000, "limit");
        Range<String> range = afterId.equals("0") || afterId.isEmpty()
                ? Range.create("-", "+")
                : Range.from(Range.Boundary.excluding(afterId), Range.Boundary.unbounded());
        List<StreamMessage<String, byte[]>> msgs = ns.await("events", ns.async().xrange(keys.events, range, Limit.from(limit)));
        List<QueueEvent> out = new ArrayList<>(msgs.size());
        for (StreamMessage<String, byte[]> m : msgs) {
            out.add(toEvent(m.getId(), m.getBody()));
        }
        return out;
    }

    QueueEvent toEvent(String streamId, Map<String, byte[]> body) {
        Map<String, String> fields = new LinkedHashMap<>();
        body.forEach((k, v) -> fields.put(k, v == null ? "" : new String(v, StandardCharsets.UTF_8)));
        String type = fields.remove("e");
        String job = fields.remove("j");
        long ms = Long.parseLong(streamId.substring(0, streamId.indexOf('-')));
        return new QueueEvent(streamId, name, EventType.of(type == null ? "" : type), job == null ? "" : job,
                Instant.ofEpochMilli(ms), Collections.unmodifiableMap(fields));
    }

    @Override
    public AutoCloseable subscribe(QueueEventListener listener, Executor executor) {
        Checks.notNull(listener, "listener");
        Checks.notNull(executor, "executor");
        return EventSubscription.start(this, listener, executor);
    }

    /** A failure to wrap for a worker log line. */
    RedkitException translate(String op, Throwable t) {
        return ns.translate(op, t);
    }

    @Override
    public String toString() {
        return "JobQueue{" + name + " at " + keys.base() + "}";
    }
}
