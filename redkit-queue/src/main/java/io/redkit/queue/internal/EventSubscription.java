package io.redkit.queue.internal;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.redkit.core.RedkitException;
import io.redkit.queue.QueueEvent;
import io.redkit.queue.QueueEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Tails a queue's event stream on a dedicated connection and hands events to a listener, in order. */
final class EventSubscription implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);
    private static final long BLOCK_MS = 1000;

    private final RedisJobQueue queue;
    private final QueueEventListener listener;
    private final Executor executor;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean open = true;
    private volatile StatefulConnection<String, byte[]> connection;
    private String lastId;

    private EventSubscription(RedisJobQueue queue, QueueEventListener listener, Executor executor) {
        this.queue = queue;
        this.listener = listener;
        this.executor = executor;
        this.thread = new Thread(this::run, "redkit-queue-events-" + queue.name());
        this.thread.setDaemon(true);
    }

    static EventSubscription start(RedisJobQueue queue, QueueEventListener listener, Executor executor) {
        EventSubscription s = new EventSubscription(queue, listener, executor);
        // the starting position is read before returning, so no event after subscribe() is missed
        List<StreamMessage<String, byte[]>> last = queue.namespace().await("events",
                queue.namespace().async().xrevrange(queue.keys().events, io.lettuce.core.Range.create("-", "+"),
                        io.lettuce.core.Limit.from(1)));
        s.lastId = last.isEmpty() ? "0-0" : last.get(0).getId();
        s.thread.start();
        return s;
    }

    private RedisClusterCommands<String, byte[]> commands() {
        StatefulConnection<String, byte[]> c = connection;
        if (c == null) {
            RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
            c = queue.namespace().openDedicated(codec, queue.namespace().commandTimeout().plus(Duration.ofMillis(BLOCK_MS * 2)));
            connection = c;
            if (!open) {
                c.close();
            }
        }
        if (c instanceof StatefulRedisClusterConnection) {
            return ((StatefulRedisClusterConnection<String, byte[]>) c).sync();
        }
        return ((StatefulRedisConnection<String, byte[]>) c).sync();
    }

    @SuppressWarnings("unchecked")
    private List<StreamMessage<String, byte[]>> read() {
        return commands().xread(XReadArgs.Builder.block(BLOCK_MS).count(500), XReadArgs.StreamOffset.from(queue.keys().events, lastId));
    }

    private void run() {
        long pause = 0;
        while (open) {
            try {
                List<StreamMessage<String, byte[]>> msgs = read();
                pause = 0;
                if (msgs == null || msgs.isEmpty()) {
                    continue;
                }
                List<QueueEvent> events = new java.util.ArrayList<>(msgs.size());
                for (StreamMessage<String, byte[]> m : msgs) {
                    events.add(queue.toEvent(m.getId(), m.getBody()));
                    lastId = m.getId();
                }
                CompletableFuture<Void> done = new CompletableFuture<>();
                executor.execute(() -> {
                    try {
                        for (QueueEvent e : events) {
                            try {
                                listener.onEvent(e);
                            } catch (RuntimeException ex) {
                                LOG.warn("queue {}: event listener failed on {}", queue.name(), e, ex);
                            }
                        }
                    } finally {
                        done.complete(null);
                    }
                });
                while (open && !done.isDone()) {
                    try {
                        done.get(100, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                        // keep waiting while open
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!open) {
                    return;
                }
                RedkitException ex = queue.translate("read events", e);
                pause = Math.min(2000, Math.max(50, pause * 2));
                LOG.debug("queue {}: event stream read failed, retrying in {} ms: {}", queue.name(), pause, ex.getMessage());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        open = false;
        StatefulConnection<String, byte[]> c = connection;
        if (c != null) {
            c.closeAsync();
        }
        try {
            thread.join(BLOCK_MS * 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
