package io.redkit.cache.internal;

import io.redkit.core.RedisUnavailableException;
import io.redkit.core.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether the cache talks to Redis. After Redis was found unreachable, the cache skips it for
 * the retry interval (so an outage costs no timeouts), then tries again; the first success resumes
 * caching. Failures are counted; a log line is written at most once per log interval. Thread-safe.
 */
public final class RedisGuard {
    private static final Logger LOG = LoggerFactory.getLogger("io.redkit.cache");

    private final Ticker ticker;
    private final long retryNanos;
    private final long logNanos;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private volatile boolean down;
    private volatile long downUntil;
    private volatile long lastLog;
    private volatile boolean logged;

    public RedisGuard(Ticker ticker, Duration retryInterval, Duration logInterval) {
        this.ticker = ticker;
        this.retryNanos = retryInterval.toNanos();
        this.logNanos = logInterval.toNanos();
    }

    /** Whether to try Redis now. */
    public boolean available() {
        return !down || ticker.read() - downUntil >= 0;
    }

    /** Whether Redis was last found unreachable. */
    public boolean isDown() {
        return down;
    }

    /** Records that a Redis call for {@code operation} failed (or was skipped). */
    public void failed(String cache, String operation, Throwable t) {
        failures.incrementAndGet();
        if (t instanceof RedisUnavailableException) {
            down = true;
            downUntil = ticker.read() + retryNanos;
        }
        long now = ticker.read();
        if (!logged || now - lastLog >= logNanos) {
            logged = true;
            lastLog = now;
            long more = suppressed.getAndSet(0);
            LOG.warn("cache '{}': Redis call failed during {} ({}); reading through to the loader and skipping cache writes{}",
                    cache, operation, t == null ? "skipped" : t.getMessage(),
                    more > 0 ? " (" + more + " more failures since the last message)" : "");
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** Records that a call skipped Redis because it is down. */
    public void skipped() {
        failures.incrementAndGet();
    }

    /** Records a successful Redis call. */
    public void succeeded() {
        if (down) {
            down = false;
            LOG.info("Redis is reachable again; caching resumed");
        }
    }

    /** Failed or skipped Redis calls so far. */
    public long failures() {
        return failures.get();
    }
}
