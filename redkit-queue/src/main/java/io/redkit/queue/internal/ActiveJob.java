package io.redkit.queue.internal;

import io.redkit.core.internal.Checks;
import io.redkit.queue.Job;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/** A fetched job while this worker holds it: the handler's {@link Job} and the worker's bookkeeping. */
final class ActiveJob implements Job {
    final RedisJobQueue queue;
    final RedisJobQueue.Fetched fetched;
    final JobRecord record;
    /** Set by whoever decides the job's outcome in Redis first: the handler's return, the timeout, or shutdown. */
    final AtomicBoolean settled = new AtomicBoolean();
    volatile boolean leaseLost;
    volatile boolean timedOut;
    volatile boolean cancelled;
    volatile Future<?> future;
    volatile long startedNanos;

    ActiveJob(RedisJobQueue queue, RedisJobQueue.Fetched fetched) {
        this.queue = queue;
        this.fetched = fetched;
        this.record = fetched.record();
    }

    long token() {
        return fetched.token();
    }

    @Override
    public String id() {
        return fetched.id();
    }

    @Override
    public String queue() {
        return queue.name();
    }

    @Override
    public String type() {
        return record.type();
    }

    @Override
    public int attempt() {
        return fetched.attempt();
    }

    @Override
    public int maxAttempts() {
        return record.maxAttempts();
    }

    @Override
    public int priority() {
        return record.priority();
    }

    @Override
    public Instant createdAt() {
        return Instant.ofEpochMilli(record.createdMs());
    }

    @Override
    public Map<String, String> metadata() {
        return record.metadata();
    }

    @Override
    public byte[] payloadBytes() {
        return record.payload().clone();
    }

    @Override
    public <T> T payload(Class<T> type) {
        return payload((Type) type);
    }

    @Override
    public <T> T payload(Type type) {
        if (record.kind() == 'n') {
            return null;
        }
        return queue.decode(record.payload(), type);
    }

    @Override
    public Duration timeout() {
        return Duration.ofMillis(record.timeoutMs());
    }

    @Override
    public boolean progress(Object progress) {
        Checks.notNull(progress, "progress");
        if (leaseLost || settled.get()) {
            return false;
        }
        boolean ok = queue.progress(id(), token(), progress);
        if (!ok) {
            leaseLost = true;
        }
        return ok;
    }

    @Override
    public boolean extendLease(Duration leaseTime) {
        Checks.positive(leaseTime, "leaseTime");
        if (leaseLost || settled.get()) {
            return false;
        }
        List<String> lost = queue.namespace().await("extend lease",
                queue.renew(List.of(Map.entry(id(), token())), Math.max(1, leaseTime.toMillis()))).lost();
        if (!lost.isEmpty()) {
            leaseLost = true;
            return false;
        }
        return true;
    }

    @Override
    public boolean isLeaseLost() {
        return leaseLost;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public String toString() {
        return "Job{" + queue.name() + "/" + id() + " " + type() + ", attempt " + attempt() + "}";
    }

}
