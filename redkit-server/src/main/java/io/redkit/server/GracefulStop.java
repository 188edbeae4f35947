package io.redkit.server;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns SIGTERM and SIGINT (Ctrl-C) into a stop request the main thread waits for, so a command
 * shuts down in order — stop accepting work, finish what is running, close Redis and the database —
 * and then exits 0. A JVM shutdown hook could do the same work, but the process would then exit
 * with 143 (killed by SIGTERM), which supervisors report as a failure. A second signal while
 * stopping exits at once (130).
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported) reflectively; where it is missing the
 * stop request comes from a shutdown hook that waits for {@link #stopped()} instead.
 */
final class GracefulStop {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();

    private GracefulStop() {
    }

    static GracefulStop install() {
        GracefulStop stop = new GracefulStop();
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(GracefulStop.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) stop.onSignal();
                        return null;
                    });
            for (String name : new String[] {"TERM", "INT"}) {
                signal.getMethod("handle", signal, handlerType).invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
            }
        } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError | SecurityException e) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.requested.countDown();
                try {
                    stop.done.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }, "redkit-stop"));
        }
        return stop;
    }

    private void onSignal() {
        if (signals.incrementAndGet() > 1) {
            System.err.println("second signal: exiting without waiting");
            Runtime.getRuntime().halt(130);
        }
        requested.countDown();
    }

    /** Blocks until a stop is requested. */
    void await() throws InterruptedException {
        requested.await();
    }

    /** Requests a stop (as a signal would). */
    void request() {
        requested.countDown();
    }

    /** Tells a waiting shutdown hook (fallback mode) that the orderly stop has finished. */
    void stopped() {
        done.countDown();
    }
}
