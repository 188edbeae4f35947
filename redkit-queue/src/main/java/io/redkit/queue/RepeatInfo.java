package io.redkit.queue;

import java.time.Instant;

/**
 * A repeatable job definition and its next occurrence.
 *
 * @param name the definition's name, unique in its queue
 * @param schedule when it runs
 * @param type the type of the jobs it adds
 * @param nextAt the next occurrence, or {@code null} when a cron expression has none left
 */
public record RepeatInfo(String name, RepeatSchedule schedule, String type, Instant nextAt) {
}
