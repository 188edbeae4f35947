package io.redkit.queue.internal;

import io.lettuce.core.KeyValue;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.redkit.core.RedkitException;
import io.redkit.queue.Backoff;
import io.redkit.queue.BackoffFunction;
import io.redkit.queue.JobHandler;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker. Per queue one fetch thread ({@link QueueLoop}) takes up to the free capacity in one
 * script call and, when it got less than it asked for, waits for whichever comes first: a wake-up
 * marker popped by a blocking {@code BLPOP} on a dedicated connection (pushed by adds, resumes and
 * scripts that leave work behind), or the time the fetch script said something becomes due. Finished
 * jobs are reported in batches by the same script that fetches the next jobs, so a busy worker needs
 * one round trip per batch of completions. Capacity is a semaphore of {@code concurrency} permits
 * held from fetch to the handler's return; a completion passes its permit on to the job fetched with it.
 */
final class DefaultWorker implements Worker {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultWorker.class);
    private static final int MAX_COMPLETIONS_PER_CALL = 500;

    private final String id;
    private final WorkerOptions options;
    private final JobHandler handler;
    private final Semaphore permits;
    private final ExecutorService handlers;
    private final boolean ownHandlers;
    private final ExecutorService replies;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService repeatTimer;
    private final List<QueueLoop> loops = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private final long leaseMs;
    private volatile boolean running = true;
    private boolean closed;
    private final Meters meters;

    DefaultWorker(List<RedisJobQueue> queues, JobHandler handler, WorkerOptions options) {
        this.id = options.workerId() != null ? options.workerId() : WorkerOptions.generateWorkerId();
        this.options = options;
        this.handler = handler;
        this.leaseMs = options.leaseTime().toMillis();
        this.permits = new Semaphore(options.concurrency());
        if (options.executor() != null) {
            this.handlers = options.executor();
            this.ownHandlers = false;
        } else {
            this.handlers = Executors.newFixedThreadPool(options.concurrency(), threads("redkit-worker-" + shortId() + "-job"));
            this.ownHandlers = true;
        }
        this.replies = Executors.newSingleThreadExecutor(threads("redkit-worker-" + shortId() + "-replies"));
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("redkit-worker-" + shortId() + "-timer"));
        this.repeatTimer = Executors.newSingleThreadScheduledExecutor(threads("redkit-worker-" + shortId() + "-repeat"));
        this.meters = new Meters(options.meterRegistry());
        for (RedisJobQueue q : queues) {
            loops.add(new QueueLoop(q));
        }
        long renewEvery = Math.max(30, leaseMs / 3);
        timer.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        for (QueueLoop l : loops) {
            l.thread.start();
            if (options.runRepeatScheduler()) {
                repeatTimer.execute(() -> repeatTick(l));
            }
        }
        LOG.info("worker {} started on {} with concurrency {}", id, queues.stream().map(RedisJobQueue::name).toList(),
                options.concurrency());
    }

    private String shortId() {
        return id.length() > 24 ? id.substring(id.length() - 8) : id;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int activeCount() {
        return active.get();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    // ------------------------------------------------------------------ running jobs

    private void start(QueueLoop loop, RedisJobQueue.Fetched f) {
        if (f.record() == null) {
            buryUnreadable(loop, f);
            return;
        }
        ActiveJob job = new ActiveJob(loop.queue, f);
        loop.running.put(job.id(), job);
        active.incrementAndGet();
        if (!running) {
            releaseUnstarted(loop, job);
            return;
        }
        try {
            job.future = handlers.submit(() -> runHandler(loop, job));
        } catch (RejectedExecutionException e) {
            releaseUnstarted(loop, job);
            return;
        }
        if (f.record().timeoutMs() > 0) {
            ScheduledTimeout.schedule(timer, () -> onTimeout(loop, job), f.record().timeoutMs());
        }
    }

    /** A fetched job whose record this version cannot decode: dead with the reason (never run, never lost). */
    private void buryUnreadable(QueueLoop loop, RedisJobQueue.Fetched f) {
        LOG.warn("queue {}: job {} is dead: {}", loop.queue.name(), f.id(), f.unreadable());
        loop.queue.fail(f.id(), f.token(), -2, f.unreadable(), "").whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("queue {}: could not make unreadable job {} dead; it is taken back when its lease ends: {}",
                        loop.queue.name(), f.id(), e.getMessage());
            }
        });
        permits.release();
    }

    /** Gives a job that never started back to waiting at once. */
    private void releaseUnstarted(QueueLoop loop, ActiveJob job) {
        if (job.settled.compareAndSet(false, true)) {
            loop.queue.release(List.of(Map.entry(job.id(), job.token()))).whenComplete((n, e) -> {
                if (e != null) {
                    LOG.warn("queue {}: could not give job {} back; it returns to waiting when its lease ends: {}",
                            loop.queue.name(), job.id(), e.getMessage());
                }
            });
        }
        finished(loop, job, true);
    }

    private void runHandler(QueueLoop loop, ActiveJob job) {
        if (!running || job.settled.get()) {
            releaseUnstarted(loop, job);
            return;
        }
        job.startedNanos = System.nanoTime();
        Object result = null;
        Throwable error = null;
        try {
            result = handler.handle(job);
        } catch (Throwable t) {
            error = t;
        } finally {
            Thread.interrupted();
        }
        long elapsedNanos = System.nanoTime() - job.startedNanos;
        if (!job.settled.compareAndSet(false, true)) {
            // the timeout or the shutdown decided this job's outcome already
            finished(loop, job, true);
            return;
        }
        byte[] encoded = null;
        if (error == null && result != null) {
            try {
                encoded = result instanceof byte[] ? (byte[]) result : loop.queue.options().codec().encode(result);
            } catch (RuntimeException e) {
                error = new RedkitException("the handler's result could not be encoded: " + e.getMessage(), e);
            }
        }
        if (error == null) {
            meters.duration(loop.queue.name(), elapsedNanos);
            loop.completions.add(new Pending(job, new RedisJobQueue.Completion(job.id(), job.token(), encoded)));
            finished(loop, job, false);
            loop.flush();
        } else {
            reportFailure(loop, job, error);
            finished(loop, job, true);
        }
    }

    private void finished(QueueLoop loop, ActiveJob job, boolean releasePermit) {
        if (loop.running.remove(job.id(), job)) {
            active.decrementAndGet();
        }
        if (releasePermit) {
            permits.release();
        }
        idleLock.lock();
        try {
            idle.signalAll();
        } finally {
            idleLock.unlock();
        }
    }

    private void onTimeout(QueueLoop loop, ActiveJob job) {
        if (!job.settled.compareAndSet(false, true)) {
            return;
        }
        job.timedOut = true;
        java.util.concurrent.Future<?> f = job.future;
        if (f != null) {
            f.cancel(true);
        }
        reportFailure(loop, job, new TimeoutException("attempt " + job.attempt() + " timed out after " + job.timeout()));
    }

    private void reportFailure(QueueLoop loop, ActiveJob job, Throwable error) {
        long delay = retryDelay(job, error);
        String message = error.getClass().getName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        StringWriter sw = new StringWriter();
        error.printStackTrace(new PrintWriter(sw));
        loop.queue.fail(job.id(), job.token(), delay, message, sw.toString()).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("queue {}: could not record the failure of job {}; it is retried when its lease ends: {}",
                        loop.queue.name(), job.id(), e.getMessage());
            } else if (r == 0) {
                meters.outcome(loop.queue.name(), "refused");
                LOG.warn("queue {}: failure of job {} (token {}) refused: this worker no longer holds its lease",
                        loop.queue.name(), job.id(), job.token());
            } else {
                meters.outcome(loop.queue.name(), r == 2 ? "dead" : "failed");
                if (r == 2) {
                    LOG.warn("queue {}: job {} ({}) is dead after attempt {}: {}", loop.queue.name(), job.id(), job.type(),
                            job.attempt(), message);
                } else {
                    LOG.debug("queue {}: job {} failed attempt {}, retrying in {} ms: {}", loop.queue.name(), job.id(),
                            job.attempt(), delay, message);
                }
            }
        });
    }

    /** The retry delay in ms, or -1 for "do not retry". */
    private long retryDelay(ActiveJob job, Throwable error) {
        Backoff b = job.record.backoff();
        if (b.kind() == Backoff.Kind.CUSTOM) {
            BackoffFunction fn = options.backoffs().get(b.name());
            if (fn != null) {
                try {
                    Duration d = fn.delay(job.attempt(), error);
                    return d == null ? -1 : Math.max(0, d.toMillis());
                } catch (RuntimeException e) {
                    LOG.warn("custom backoff {} failed; using the default backoff", b.name(), e);
                }
            } else {
                LOG.warn("no backoff named {} on worker {}; using the default backoff", b.name(), id);
            }
            b = io.redkit.queue.JobOptions.DEFAULT_BACKOFF;
        }
        return b.delayAfter(job.attempt(), ThreadLocalRandom.current()).toMillis();
    }

    private void renewLeases() {
        for (QueueLoop loop : loops) {
            List<Map.Entry<String, Long>> held = new ArrayList<>();
            for (ActiveJob j : loop.running.values()) {
                if (!j.settled.get() && !j.leaseLost) {
                    held.add(Map.entry(j.id(), j.token()));
                }
            }
            if (held.isEmpty()) {
                continue;
            }
            loop.queue.renew(held, leaseMs).whenComplete((lost, e) -> {
                if (e != null) {
                    LOG.debug("queue {}: lease renewal failed: {}", loop.queue.name(), e.getMessage());
                    return;
                }
                for (String jobId : lost) {
                    ActiveJob j = loop.running.get(jobId);
                    if (j != null && !j.leaseLost) {
                        j.leaseLost = true;
                        LOG.warn("queue {}: lost the lease of job {}; another worker may run it, and this worker's result will be refused",
                                loop.queue.name(), jobId);
                    }
                }
            });
        }
    }

    private void repeatTick(QueueLoop loop) {
        if (!running) {
            return;
        }
        long cap = options.repeatCheckInterval().toMillis();
        long next = cap;
        try {
            long wait = loop.queue.runDueRepeats();
            if (wait >= 0) {
                next = Math.max(1, Math.min(cap, wait));
            }
        } catch (RuntimeException e) {
            LOG.debug("queue {}: repeatable jobs check failed: {}", loop.queue.name(), e.getMessage());
        }
        try {
            repeatTimer.schedule(() -> repeatTick(loop), next, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public void close() {
        close(options.shutdownTimeout());
    }

    @Override
    public void close(Duration timeout) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        permits.release(Integer.MAX_VALUE / 2);
        for (QueueLoop l : loops) {
            l.signal();
        }
        for (QueueLoop l : loops) {
            try {
                l.thread.join(Math.max(1000, loops.size() * 1000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // let running handlers finish until the deadline
        idleLock.lock();
        try {
            while (active.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                idle.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            idleLock.unlock();
        }
        // give what is still running back at once, and interrupt it
        List<CompletableFuture<Long>> releases = new ArrayList<>();
        for (QueueLoop l : loops) {
            List<Map.Entry<String, Long>> back = new ArrayList<>();
            for (ActiveJob j : l.running.values()) {
                if (j.settled.compareAndSet(false, true)) {
                    back.add(Map.entry(j.id(), j.token()));
                }
                java.util.concurrent.Future<?> f = j.future;
                if (f != null) f.cancel(true);
            }
            if (!back.isEmpty()) {
                LOG.info("queue {}: worker {} gives {} unfinished job(s) back to waiting", l.queue.name(), id, back.size());
                releases.add(l.queue.release(back));
            }
        }
        // report the completions still buffered
        for (QueueLoop l : loops) {
            l.flush();
        }
        long flushDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (QueueLoop l : loops) {
            while ((!l.completions.isEmpty() || l.flushing.get()) && System.nanoTime() < flushDeadline) {
                l.flushed.awaitQuietly(50);
            }
        }
        for (CompletableFuture<Long> f : releases) {
            try {
                f.get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("worker {}: could not give jobs back; they return to waiting when their leases end: {}", id, e.getMessage());
            }
        }
        for (QueueLoop l : loops) {
            l.closeConnection();
        }
        timer.shutdownNow();
        repeatTimer.shutdownNow();
        replies.shutdown();
        if (ownHandlers) {
            handlers.shutdownNow();
        }
        meters.close();
        LOG.info("worker {} closed", id);
    }

    // ------------------------------------------------------------------ per queue

    /** A completion waiting to be reported, with the job whose permit it carries. */
    private record Pending(ActiveJob job, RedisJobQueue.Completion completion) {
    }

    /** A tiny wait/notify helper. */
    private static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition cond = lock.newCondition();
        private boolean set;

        void set() {
            lock.lock();
            try {
                set = true;
                cond.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until set or {@code ms} pass; clears it. */
        void await(long ms) throws InterruptedException {
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(ms);
                while (!set && left > 0) {
                    left = cond.awaitNanos(left);
                }
                set = false;
            } finally {
                lock.unlock();
            }
        }

        void awaitQuietly(long ms) {
            try {
                await(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class QueueLoop implements Runnable {
        final RedisJobQueue queue;
        final Thread thread;
        final Map<String, ActiveJob> running = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Pending> completions = new ConcurrentLinkedQueue<>();
        final AtomicBoolean flushing = new AtomicBoolean();
        final Signal wake = new Signal();
        final Signal flushed = new Signal();
        private StatefulConnection<String, String> blocking;
        private volatile CompletableFuture<?> pendingPop;
        private long lastErrorLog;

        QueueLoop(RedisJobQueue queue) {
            this.queue = queue;
            this.thread = new Thread(this, "redkit-worker-" + shortId() + "-" + queue.name());
            this.thread.setDaemon(true);
        }

        void signal() {
            wake.set();
        }

        @Override
        public void run() {
            long errorPause = 0;
            while (DefaultWorker.this.running) {
                int n;
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    continue;
                }
                if (!DefaultWorker.this.running) {
                    break;
                }
                n = 1 + permits.drainPermits();
                RedisJobQueue.FetchReply reply;
                try {
                    reply = queue.namespace().await("fetch", queue.fetch(id, n, leaseMs, List.of()));
                    errorPause = 0;
                } catch (RuntimeException e) {
                    permits.release(n);
                    errorPause = Math.min(2000, Math.max(50, errorPause * 2));
                    logError("fetch", e);
                    wake.awaitQuietly(errorPause);
                    continue;
                }
                permits.release(n - reply.jobs().size());
                for (RedisJobQueue.Fetched f : reply.jobs()) {
                    start(this, f);
                }
                if (reply.jobs().size() < n && DefaultWorker.this.running) {
                    long max = options.maxIdleWait().toMillis();
                    long waitMs = reply.wakeMs() >= 0 ? Math.min(reply.wakeMs(), max) : max;
                    if (!awaitMarker()) {
                        errorPause = Math.min(2000, Math.max(50, errorPause * 2));
                        waitMs = Math.min(waitMs, errorPause);
                    }
                    wake.awaitQuietly(waitMs);
                }
            }
        }

        /** Makes sure a blocking pop on the marker is outstanding; false when it cannot be issued. */
        private boolean awaitMarker() {
            CompletableFuture<?> p = pendingPop;
            if (p != null && !p.isDone()) {
                return true;
            }
            try {
                if (blocking == null) {
                    blocking = queue.namespace().openDedicated(StringCodec.UTF8,
                            options.maxIdleWait().plus(queue.namespace().commandTimeout()).plusSeconds(1));
                }
                RedisClusterAsyncCommands<String, String> cmd = blocking instanceof StatefulRedisClusterConnection
                        ? ((StatefulRedisClusterConnection<String, String>) blocking).async()
                        : ((StatefulRedisConnection<String, String>) blocking).async();
                double seconds = options.maxIdleWait().toMillis() / 1000.0;
                CompletableFuture<KeyValue<String, String>> f = cmd.blpop(seconds, queue.keys().marker).toCompletableFuture();
                pendingPop = f;
                f.whenComplete((v, e) -> wake.set());
                return true;
            } catch (RuntimeException e) {
                logError("wait for jobs", e);
                return false;
            }
        }

        void closeConnection() {
            StatefulConnection<String, String> c = blocking;
            blocking = null;
            if (c != null) {
                c.closeAsync();
            }
        }

        private void logError(String what, RuntimeException e) {
            long now = System.nanoTime();
            if (now - lastErrorLog > TimeUnit.SECONDS.toNanos(10)) {
                lastErrorLog = now;
                LOG.warn("queue {}: worker {} could not {} ({}); retrying", queue.name(), id, what,
                        queue.translate(what, e).getMessage());
            }
        }

        /** Reports buffered completions and fetches as many jobs as were completed, one call at a time. */
        void flush() {
            if (!flushing.compareAndSet(false, true)) {
                return;
            }
            List<Pending> batch = new ArrayList<>();
            Pending p;
            while (batch.size() < MAX_COMPLETIONS_PER_CALL && (p = completions.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                flushing.set(false);
                flushed.set();
                if (!completions.isEmpty()) {
                    flush();
                }
                return;
            }
            int fetch = DefaultWorker.this.running ? batch.size() : 0;
            List<RedisJobQueue.Completion> cs = new ArrayList<>(batch.size());
            for (Pending b : batch) {
                cs.add(b.completion());
            }
            CompletableFuture<RedisJobQueue.FetchReply> f;
            try {
                f = queue.fetch(id, fetch, leaseMs, cs);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenCompleteAsync((reply, err) -> onFlushed(batch, fetch, reply, err), replies);
        }

        private void onFlushed(List<Pending> batch, int fetch, RedisJobQueue.FetchReply reply, Throwable err) {
            try {
                if (err != null) {
                    logError("report completions", err instanceof RuntimeException ? (RuntimeException) err : new RuntimeException(err));
                    if (DefaultWorker.this.running) {
                        // keep the permits and try again shortly; a restarted Redis refuses them if it lost the jobs
                        completions.addAll(batch);
                        timer.schedule(this::flush, 200, TimeUnit.MILLISECONDS);
                    } else {
                        permits.release(batch.size());
                    }
                    return;
                }
                for (int i = 0; i < batch.size(); i++) {
                    ActiveJob job = batch.get(i).job();
                    long status = reply.statuses().get(i);
                    if (status == 1) {
                        meters.outcome(queue.name(), "completed");
                    } else if (status == 2) {
                        LOG.warn("queue {}: completion of job {} refused: it came after the attempt's timeout", queue.name(), job.id());
                        reportFailure(this, job, new TimeoutException("attempt " + job.attempt() + " completed after its timeout of "
                                + job.timeout() + "; the completion was refused"));
                    } else {
                        meters.outcome(queue.name(), "refused");
                        LOG.warn("queue {}: completion of job {} (token {}) refused: this worker no longer holds its lease",
                                queue.name(), job.id(), job.token());
                    }
                }
                permits.release(batch.size() - reply.jobs().size());
                for (RedisJobQueue.Fetched f : reply.jobs()) {
                    start(this, f);
                }
            } catch (RuntimeException e) {
                LOG.error("queue {}: unexpected failure handling a reply", queue.name(), e);
            } finally {
                flushing.set(false);
                flushed.set();
                if (!completions.isEmpty() && (err == null || !DefaultWorker.this.running)) {
                    flush();
                }
            }
        }
    }

    /** Schedules a timeout. */
    private static final class ScheduledTimeout {
        static void schedule(ScheduledExecutorService timer, Runnable r, long ms) {
            try {
                timer.schedule(r, ms, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing: the shutdown path settles the job
            }
        }
    }

    /** Micrometer meters, when a registry is configured. */
    private final class Meters {
        private final MeterRegistry registry;
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();
        private final Map<String, Timer> timers = new ConcurrentHashMap<>();
        private Gauge gauge;

        Meters(MeterRegistry registry) {
            this.registry = registry;
            if (registry != null) {
                gauge = Gauge.builder("redkit.queue.worker.active", active, AtomicInteger::get)
                        .description("jobs this worker is running").tag("worker", id).register(registry);
            }
        }

        void outcome(String queue, String outcome) {
            if (registry == null) return;
            counters.computeIfAbsent(queue + "/" + outcome, k -> Counter.builder("redkit.queue.jobs")
                    .description("attempts finished by this worker, by outcome").tag("queue", queue).tag("outcome", outcome)
                    .register(registry)).increment();
        }

        void duration(String queue, long nanos) {
            if (registry == null) return;
            timers.computeIfAbsent(queue, k -> Timer.builder("redkit.queue.job.duration").description("handler run time of completed attempts")
                    .tag("queue", queue).publishPercentiles(0.5, 0.9, 0.99).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        }

        void close() {
            if (registry == null) return;
            registry.remove(gauge);
            counters.values().forEach(registry::remove);
            timers.values().forEach(registry::remove);
        }
    }
}
