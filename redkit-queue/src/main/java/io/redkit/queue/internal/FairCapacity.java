package io.redkit.queue.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A worker's concurrency slots, shared fairly among the queues it serves. A queue's fetcher asks for
 * capacity with {@link #acquire}; a freed slot goes to the queue that has waited longest. A queue
 * that finished a job may keep the slot for its next job ({@link #handBack}) only while no other
 * queue waits, so a backlog in one queue delays another queue's job by at most the time until one
 * slot frees. Uncontended, a fetcher gets every free slot at once (one fetch for many jobs).
 * Thread-safe.
 */
final class FairCapacity {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition granted = lock.newCondition();
    /** Fetchers waiting for a slot, oldest first. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Slots nobody waits for. Non-zero only while {@link #waiters} is empty. */
    private int free;
    private boolean closed;

    private static final class Waiter {
        final Object queue;
        int slots;

        Waiter(Object queue) {
            this.queue = queue;
        }
    }

    FairCapacity(int slots) {
        this.free = slots;
    }

    /**
     * Blocks until {@code queue} is granted at least one slot.
     *
     * @return the slots granted (at least 1; every free slot when no other queue waits), or 0 once closed
     */
    int acquire(Object queue) throws InterruptedException {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            if (free > 0) {
                int n = free;
                free = 0;
                return n;
            }
            Waiter w = new Waiter(queue);
            waiters.addLast(w);
            try {
                while (w.slots == 0 && !closed) {
                    granted.await();
                }
            } catch (InterruptedException e) {
                if (!waiters.remove(w) && w.slots > 0) {
                    releaseLocked(w.slots);
                }
                throw e;
            }
            if (closed) {
                waiters.remove(w);
                return w.slots;
            }
            int n = w.slots;
            if (waiters.isEmpty()) {
                n += free;
                free = 0;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Gives {@code n} slots back: each goes to the longest waiting fetcher, or is free. */
    void release(int n) {
        if (n <= 0) {
            return;
        }
        lock.lock();
        try {
            releaseLocked(n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives back the {@code n} slots of jobs of {@code queue} that finished: each goes to the longest
     * waiting fetcher of another queue; the rest {@code queue} keeps for its next jobs.
     *
     * @return the slots {@code queue} keeps (to be {@link #release released} when unused)
     */
    int handBack(Object queue, int n) {
        lock.lock();
        try {
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (!grantOne(queue)) {
                    kept++;
                }
            }
            return kept;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting fetcher; from now on {@link #acquire} returns 0 at once. */
    void close() {
        lock.lock();
        try {
            closed = true;
            granted.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void releaseLocked(int n) {
        for (int i = 0; i < n; i++) {
            if (!grantOne(null)) {
                free++;
            }
        }
    }

    /** Grants one slot to the oldest waiter not of {@code except}; false when there is none. */
    private boolean grantOne(Object except) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.queue != except) {
                it.remove();
                w.slots++;
                granted.signalAll();
                return true;
            }
        }
        return false;
    }
}
