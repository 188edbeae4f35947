package io.redkit.ratelimit.internal;

import io.redkit.core.RedisCommandException;

import java.util.regex.Pattern;

/**
 * Tells error replies that mean "this Redis cannot serve the check now" (the same for every key and
 * every argument: out of memory under {@code noeviction}, busy with a script, a read-only replica,
 * loading its data, refusing writes after a failed save, a cluster without its master) from those
 * that mean the call itself is wrong (a key holding another type, a script bug), which must surface.
 *
 * <p>The code of such an error may arrive first ({@code OOM command not allowed ...}, as Redis 7
 * sends it even from inside a script) or inside the text of a script error, prefixed by a dash
 * ({@code ERR Error running script (call to f_...): @user_script:1: @user_script: 1: -OOM command
 * not allowed ...}, as Redis 6.2 wraps an error raised inside a script, or {@code @user_script: 1:
 * -READONLY ...} as a script's {@code pcall} sees it on 6.2).
 */
final class ServerErrors {
    /** Error codes of a Redis that cannot serve, at the start of the text or after {@code ": -"}. */
    private static final Pattern SERVER_WIDE = Pattern.compile(
            "(?:^|: -)(?:OOM|BUSY|READONLY|LOADING|MISCONF|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\\b");

    private ServerErrors() {}

    /** Whether Redis refused {@code e}'s command for a reason of its own state, not of the command. */
    static boolean serverWide(RedisCommandException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && SERVER_WIDE.matcher(message).find()) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
