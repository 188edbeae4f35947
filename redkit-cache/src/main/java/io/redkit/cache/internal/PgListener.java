package io.redkit.cache.internal;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A daemon thread holding one connection that {@code LISTEN}s on a channel and hands each
 * notification's payload (a table name) to a consumer. When the connection breaks it reconnects
 * after a delay, and after every (re)connect calls {@code onConnect}, because notifications sent
 * while it was away are lost; {@link #isListening()} turns true only after that.
 */
public final class PgListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.redkit.cache.query");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final DataSource dataSource;
    private final String channel;
    private final Consumer<String> onNotify;
    private final Runnable onConnect;
    private final Duration poll;
    private final Duration reconnectDelay;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean listening;
    private volatile Connection current;

    public PgListener(DataSource dataSource, String channel, Consumer<String> onNotify, Runnable onConnect,
                      Duration poll, Duration reconnectDelay) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onNotify = onNotify;
        this.onConnect = onConnect;
        this.poll = poll;
        this.reconnectDelay = reconnectDelay;
        this.thread = new Thread(this::run, "redkit-cache-listen-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Whether the LISTEN connection is up and {@code onConnect} has run since it (re)connected: only
     * then is every change committed since reported.
     */
    public boolean isListening() {
        return listening;
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                current = c;
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true);
                }
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                onConnect.run(); // before listening turns true: what changed while away is invalidated first
                listening = true;
                if (warned) {
                    LOG.info("query cache: LISTEN {} is connected again", channel);
                    warned = false;
                }
                int idle = 0;
                while (running) {
                    PGNotification[] ns = pg.getNotifications((int) poll.toMillis());
                    if (ns != null && ns.length > 0) {
                        idle = 0;
                        for (PGNotification n : ns) {
                            try {
                                onNotify.accept(n.getParameter());
                            } catch (RuntimeException e) {
                                LOG.warn("query cache: cannot apply notification '{}': {}", n.getParameter(), e.toString());
                            }
                        }
                    } else if (++idle * poll.toMillis() >= 10_000) {
                        idle = 0; // a silent connection is checked every ~10 s
                        if (!c.isValid(2)) {
                            throw new SQLException("LISTEN connection is no longer valid");
                        }
                    }
                }
                try (Statement st = c.createStatement()) {
                    st.execute("UNLISTEN *");
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) {
                    break;
                }
                if (!warned) {
                    LOG.warn("query cache: LISTEN {} connection failed ({}); reconnecting every {} and invalidating "
                            + "the watched tables once back", channel, e.toString(), reconnectDelay);
                    warned = true;
                }
                try {
                    Thread.sleep(reconnectDelay.toMillis()); // a real wait between reconnect attempts, not a test
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } finally {
                listening = false;
                current = null;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(poll.toMillis() + 1000); // the loop notices within one poll and returns its connection
            if (thread.isAlive()) {
                Connection c = current;
                if (c != null) {
                    try {
                        c.abort(Runnable::run);
                    } catch (SQLException | RuntimeException e) {
                        LOG.debug("aborting the LISTEN connection: {}", e.toString());
                    }
                }
                thread.interrupt();
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
