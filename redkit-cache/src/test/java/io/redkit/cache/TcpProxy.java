package io.redkit.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy to a Redis server that can black-hole some connections without closing them, as a NAT
 * or load balancer that dropped its state does: {@link #freeze(String)} stops forwarding, in both
 * directions, on every connection (present and future) whose client sent {@code marker} (e.g. its
 * client name in {@code HELLO}); the sockets stay open and the bytes are held. {@link #thaw()}
 * resumes forwarding. Test code only.
 */
final class TcpProxy implements AutoCloseable {
    private static final int SNIFF = 4096;

    private final String host;
    private final int port;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private volatile String frozen;
    private volatile boolean closed;

    TcpProxy(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "redis://127.0.0.1:" + port();
    }

    /** Stops forwarding on every connection whose client sent {@code marker}, without closing it. */
    void freeze(String marker) {
        synchronized (lock) {
            frozen = marker;
        }
    }

    /** Resumes forwarding on every connection. */
    void thaw() {
        synchronized (lock) {
            frozen = null;
            lock.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(host, port);
                sockets.add(client);
                sockets.add(upstream);
                Link link = new Link();
                pump(client, upstream, link, true);
                pump(upstream, client, link, false);
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    /** What one proxied connection's client sent first, to match markers against. */
    private static final class Link {
        final StringBuilder sent = new StringBuilder();
        volatile String seen = "";
    }

    private void pump(Socket from, Socket to, Link link, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (fromClient && link.sent.length() < SNIFF) {
                        synchronized (link) {
                            link.sent.append(new String(buf, 0, Math.min(n, SNIFF), StandardCharsets.ISO_8859_1));
                            link.seen = link.sent.toString();
                        }
                    }
                    holdWhileFrozen(link);
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void holdWhileFrozen(Link link) throws InterruptedException {
        synchronized (lock) {
            while (frozen != null && link.seen.contains(frozen) && !closed) {
                lock.wait();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thaw();
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
