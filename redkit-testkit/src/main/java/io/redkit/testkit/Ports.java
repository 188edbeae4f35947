package io.redkit.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds free loopback ports. */
public final class Ports {
    private Ports() {}

    /** A port that was free a moment ago. */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** A free port {@code p} such that {@code p + 10000} (the Cluster bus port) is free too. */
    public static int freeWithBus() {
        for (int i = 0; i < 200; i++) {
            int p = free();
            if (p + 10000 <= 65535 && isFree(p + 10000)) {
                return p;
            }
        }
        for (int p = 20000; p < 30000; p++) {
            if (isFree(p) && isFree(p + 10000)) return p;
        }
        throw new IllegalStateException("no free port pair for a Redis Cluster node");
    }

    /** True when nothing listens on {@code port}. */
    public static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
