/**
 * Redkit's job queue: named queues on Redis with priorities, delays, idempotency keys, retries with
 * backoff, leases with fencing tokens, per-attempt timeouts, repeatable jobs, a queue rate limit,
 * events and statistics. Start at {@link io.redkit.queue.JobQueue}.
 *
 * <p>Delivery is at least once: a job whose worker dies is given to another worker when its lease
 * runs out. Every state change is one Lua script on keys that share the queue's hash tag, so a queue
 * works unchanged on a single Redis 6.2+ and on Redis Cluster.
 */
package io.redkit.queue;
