package io.redkit.queue;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of a queue's event stream. Immutable.
 *
 * @param streamId the Redis stream entry id (pass it to {@link JobQueue#events(String, int)} to read on)
 * @param queue the queue's name
 * @param type what happened
 * @param jobId the job concerned, or empty for queue events (paused, resumed)
 * @param at when (Redis time, from the stream id)
 * @param fields further fields, e.g. {@code err} for failed, {@code due} for retrying, {@code ms} for completed
 */
public record QueueEvent(String streamId, String queue, EventType type, String jobId, Instant at, Map<String, String> fields) {
}
