package io.redkit.cache;

import io.redkit.testkit.RedisServer;

/**
 * Counts the commands a Redis server executed, without the tracking connections' heartbeat PINGs
 * (which run every second whatever the test does). One {@code INFO all}, so both figures come from
 * the same moment.
 */
final class Commands {
    private Commands() {}

    /** Commands executed so far, PINGs excluded ({@code INFO} calls included). */
    static long executedExceptPings(RedisServer redis) {
        String text = (String) redis.command("INFO", "all");
        long total = -1;
        long pings = 0;
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("total_commands_processed:")) {
                total = Long.parseLong(line.substring("total_commands_processed:".length()).trim());
            } else if (line.startsWith("cmdstat_ping:calls=")) {
                String rest = line.substring("cmdstat_ping:calls=".length());
                pings = Long.parseLong(rest.substring(0, rest.indexOf(',')));
            }
        }
        if (total < 0) {
            throw new IllegalStateException("INFO all has no total_commands_processed");
        }
        return total - pings;
    }
}
