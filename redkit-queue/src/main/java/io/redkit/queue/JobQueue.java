package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.queue.internal.RedisJobQueue;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A named job queue in Redis: add jobs, run workers, inspect and operate. Obtain one with
 * {@link #create(Redkit, String, QueueOptions)}; a handle is cheap, thread-safe and holds no
 * connection of its own (it uses the Redkit queue namespace's shared connection).
 *
 * <pre>{@code
 * JobQueue emails = JobQueue.create(redkit, "emails");
 * String id = emails.add("welcome", new Welcome("ada@example.com"));
 * try (Worker worker = emails.worker(job -> mailer.send(job.payload(Welcome.class)),
 *         WorkerOptions.builder().concurrency(20).build())) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Durability.</b> An add returns once Redis has applied it: the job is then as durable as the
 * Redis persistence settings make it (with {@code appendonly yes} and {@code appendfsync everysec} at
 * most about one second of adds can be lost in a Redis crash; without persistence a Redis restart
 * loses the queue). With {@link QueueOptions.Builder#replicationWait} an add also waits until
 * replicas have it, so it survives a failover.
 *
 * <p><b>Delivery.</b> At least once: a job whose worker dies is given to another worker when its
 * lease runs out. A job is completed at most once in Redis: completions by a worker that lost the
 * lease are refused (fencing tokens).
 *
 * <p><b>Failures.</b> Redis unreachable or too slow: {@link io.redkit.core.RedisUnavailableException};
 * bad arguments: {@link IllegalArgumentException} naming the value, with nothing written to Redis.
 * An unknown job id is "not found" ({@code Optional.empty()}, {@code false}), not an error.
 */
public interface JobQueue {
    /** Longest queue name: {@value} characters. */
    int MAX_NAME_LENGTH = 100;

    /**
     * A handle on the queue {@code name} (1 to {@link #MAX_NAME_LENGTH} of {@code [A-Za-z0-9._-]})
     * with default options.
     */
    static JobQueue create(Redkit redkit, String name) {
        return create(redkit, name, QueueOptions.defaults());
    }

    /** A handle on the queue {@code name} with {@code options}. */
    static JobQueue create(Redkit redkit, String name, QueueOptions options) {
        return new RedisJobQueue(redkit, name, options);
    }

    /** The queue's name. */
    String name();

    /** This handle's options. */
    QueueOptions options();

    // ---- producing

    /** Adds a job with the queue's default job options; returns its id. */
    String add(String type, Object payload);

    /**
     * Adds a job and returns its id; with an idempotency key that already names a job (within its
     * window) adds nothing and returns that job's id.
     *
     * @param type 1 to 200 characters without control characters
     * @param payload a value the codec can encode, {@code byte[]} (stored as is), or {@code null}
     * @throws IllegalArgumentException for a bad type or a payload over {@link QueueOptions#maxPayloadSize()}
     *         ({@link io.redkit.core.codec.PayloadTooLargeException})
     */
    String add(String type, Object payload, JobOptions options);

    /**
     * {@link #add(String, Object, JobOptions)} that also says whether this call created the job:
     * {@code created} is false when the options' idempotency key already named a job within its
     * window (nothing was added and {@code id} is that job's id). The check and the add are one
     * script, so of many racing producers exactly one sees {@code created == true}. An HTTP API
     * answers 202 for a created job and 200 for a duplicate, for example.
     */
    Added addReportingDuplicate(String type, Object payload, JobOptions options);

    /**
     * The outcome of {@link #addReportingDuplicate}.
     *
     * @param id the job's id (the existing job's for a duplicate)
     * @param created true when this call added the job, false when an idempotency key named an existing one
     */
    record Added(String id, boolean created) {
    }

    /**
     * {@link #add(String, Object, JobOptions)} without waiting. Validation happens before this
     * returns (bad input throws here); the future completes on {@code executor}.
     */
    CompletableFuture<String> addAsync(String type, Object payload, JobOptions options, Executor executor);

    /**
     * Adds many jobs, 500 and at most {@link QueueOptions#maxBatchBytes()} of job records per script
     * call (sent in order); returns their ids in order. Every job is validated
     * before anything is written. Each batch is atomic; if Redis fails between batches, the earlier
     * batches stay added.
     */
    List<String> addBulk(List<NewJob> jobs);

    // ---- consuming

    /** Starts a worker on this queue. */
    Worker worker(JobHandler handler, WorkerOptions options);

    /** Starts a worker on several queues of the same Redkit, sharing one concurrency limit. */
    static Worker worker(Collection<JobQueue> queues, JobHandler handler, WorkerOptions options) {
        return RedisJobQueue.startWorker(queues, handler, options);
    }

    // ---- inspection

    /** The job, or empty when there is no such job (never added, removed, or trimmed by retention). */
    Optional<JobInfo> get(String id);

    /**
     * One page of jobs in {@code state}: waiting in run order, delayed and retrying by due time,
     * active by lease deadline, completed and dead newest first.
     *
     * @param offset from 0
     * @param limit 1 to 1000
     */
    List<JobInfo> list(JobState state, int offset, int limit);

    /** The number of jobs in each state, and whether the queue is paused. O(1) per state. */
    QueueCounts counts();

    /**
     * In words, why the job is where it is: e.g. "delayed until 2024-05-01T10:00:00Z", "waiting
     * behind 12 jobs", "queue is paused", "rate-limited for 800 ms", "retrying at ... after attempt 2
     * of 5 failed: ...", "dead because ...". Empty when there is no such job.
     */
    Optional<String> explain(String id);

    /** Counters, completions per minute for the last hour, processing-time histogram. */
    QueueStats stats();

    /** Decodes stored bytes (a payload, result or progress) with the queue's codec; {@code null} stays {@code null}. */
    <T> T decode(byte[] bytes, Type type);

    // ---- operations

    /** Pauses the queue: workers finish running jobs but start no new ones. Returns false when already paused. */
    boolean pause();

    /** Resumes a paused queue and wakes idle workers. Returns false when it was not paused. */
    boolean resume();

    /** Moves a dead job back to waiting with its attempts reset. Returns false when the job is not dead. */
    boolean retry(String id);

    /**
     * Moves every job that was dead when the call started back to waiting, 1,000 per Redis call;
     * returns how many. Jobs that die while it runs (also ones it revived) stay dead, so it ends
     * however fast jobs die.
     */
    long retryAllDead();

    /**
     * Deletes a job that is not active. Returns false when there is no such job.
     *
     * @throws QueueException when the job is active (let it finish, or close its worker first)
     */
    boolean remove(String id);

    /**
     * Cancels a job: a waiting, delayed or retrying one is dead at once with the error {@code "cancelled"};
     * for an active one the worker running it is asked to interrupt its handler (see
     * {@link CancelOutcome#REQUESTED}); a completed or dead one cannot be cancelled
     * ({@link CancelOutcome#ALREADY_FINISHED}). {@link #retry(String)} revives a cancelled job like any dead one.
     */
    CancelOutcome cancel(String id);

    /**
     * Deletes every waiting job (and delayed and retrying ones when {@code includeDelayed}), 1,000
     * per Redis call so Redis is never blocked for long; returns how many. Active jobs are untouched.
     * It deletes only jobs that existed when it started (ids up to the queue's last id then) and keeps
     * every job added while it runs, so it ends under any rate of adds.
     */
    long drain(boolean includeDelayed);

    // ---- repeatable jobs

    /**
     * Creates or replaces the repeatable job {@code name}: on each occurrence of {@code schedule}
     * one job of {@code type} with {@code payload} and {@code options} is added, exactly once however
     * many workers run (workers with {@link WorkerOptions#runRepeatScheduler()} add them). Options'
     * delay, run-at time and idempotency key are ignored.
     *
     * @param name 1 to 200 characters without control characters
     */
    RepeatInfo repeat(String name, RepeatSchedule schedule, String type, Object payload, JobOptions options);

    /** Deletes a repeatable job definition (jobs it already added stay). Returns false when there was none. */
    boolean removeRepeat(String name);

    /** The repeatable job definitions, by next occurrence. */
    List<RepeatInfo> repeats();

    // ---- events

    /**
     * Up to {@code limit} (1 to 10,000) events after the stream id {@code afterId} ({@code "0"} for the
     * oldest kept), oldest first.
     */
    List<QueueEvent> events(String afterId, int limit);

    /**
     * Delivers the queue's events from now on to {@code listener}, on {@code executor}, until the
     * returned handle is closed. Uses one dedicated Redis connection (a blocking stream read); after
     * a Redis outage it resumes where it left off if the stream still holds those events.
     */
    AutoCloseable subscribe(QueueEventListener listener, Executor executor);
}
