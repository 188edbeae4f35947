package io.redkit.queue;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.redkit.core.internal.Checks;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * When a repeatable job runs: every fixed interval, or on a cron expression. Immutable.
 *
 * <p>Cron expressions have 5 fields ({@code minute hour day-of-month month day-of-week}, Unix
 * style) or 6 with seconds first (Spring style), and are read in a time zone (UTC by default).
 */
public final class RepeatSchedule {
    /** Shortest interval: 10 ms. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser SPRING = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

    private final Duration every;
    private final String cron;
    private final ZoneId zone;
    private final ExecutionTime execution;

    private RepeatSchedule(Duration every, String cron, ZoneId zone, ExecutionTime execution) {
        this.every = every;
        this.cron = cron;
        this.zone = zone;
        this.execution = execution;
    }

    /** Every {@code interval} (at least {@link #MIN_INTERVAL}, at most 3650 days), first one interval after it is defined. */
    public static RepeatSchedule every(Duration interval) {
        Checks.notNull(interval, "interval");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(Duration.ofDays(3650)) > 0) {
            throw new IllegalArgumentException("repeat interval must be between " + MIN_INTERVAL + " and 3650 days: " + interval);
        }
        return new RepeatSchedule(interval, null, null, null);
    }

    /** On a cron expression read in UTC. */
    public static RepeatSchedule cron(String expression) {
        return cron(expression, ZoneOffset.UTC);
    }

    /**
     * On a cron expression read in {@code zone}.
     *
     * @throws IllegalArgumentException when the expression is not a valid 5- or 6-field cron expression
     */
    public static RepeatSchedule cron(String expression, ZoneId zone) {
        Checks.notNull(expression, "cron expression");
        Checks.notNull(zone, "zone");
        String e = expression.trim().replaceAll("\\s+", " ");
        int fields = e.isEmpty() ? 0 : e.split(" ").length;
        Cron parsed;
        try {
            if (fields == 5) {
                parsed = UNIX.parse(e);
            } else if (fields == 6) {
                parsed = SPRING.parse(e);
            } else {
                throw new IllegalArgumentException("it has " + fields + " fields");
            }
            parsed.validate();
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("malformed cron expression \"" + expression + "\": " + ex.getMessage()
                    + "; expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first", ex);
        }
        return new RepeatSchedule(null, e, zone, ExecutionTime.forCron(parsed));
    }

    /** The interval, or {@code null} for a cron schedule. */
    public Duration interval() {
        return every;
    }

    /** The cron expression, or {@code null} for an interval. */
    public String cronExpression() {
        return cron;
    }

    /** The cron time zone, or {@code null} for an interval. */
    public ZoneId zone() {
        return zone;
    }

    /**
     * The first occurrence strictly after {@code after}, or empty when a cron expression has no
     * further occurrence. For intervals this is {@code after + interval}.
     */
    public Optional<Instant> nextAfter(Instant after) {
        if (every != null) {
            return Optional.of(after.plus(every));
        }
        try {
            return execution.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
        } catch (DateTimeException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The occurrence after {@code due} that is also after {@code now}: missed occurrences (all workers
     * were down) are skipped, not run in a burst.
     */
    public Optional<Instant> nextAfter(Instant due, Instant now) {
        if (every != null) {
            Instant next = due.plus(every);
            if (!next.isAfter(now)) {
                long behind = Duration.between(due, now).toMillis();
                long step = every.toMillis();
                next = due.plusMillis((behind / step + 1) * step);
            }
            return Optional.of(next);
        }
        return nextAfter(due.isAfter(now) ? due : now);
    }

    /** The compact form stored in Redis. */
    public String spec() {
        return every != null ? "every:" + every.toMillis() : "cron:" + zone.getId() + ":" + cron;
    }

    /** Parses {@link #spec()}. */
    public static RepeatSchedule parse(String spec) {
        if (spec.startsWith("every:")) {
            return every(Duration.ofMillis(Long.parseLong(spec.substring(6))));
        }
        if (spec.startsWith("cron:")) {
            int c = spec.indexOf(':', 5);
            return cron(spec.substring(c + 1), ZoneId.of(spec.substring(5, c)));
        }
        throw new IllegalArgumentException("unknown repeat schedule: " + spec);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RepeatSchedule && ((RepeatSchedule) o).spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec());
    }

    @Override
    public String toString() {
        return every != null ? "every " + every : "cron \"" + cron + "\" in " + zone;
    }
}
