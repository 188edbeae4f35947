package io.redkit.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code redkit} command line: {@code serve} (API, dashboard and workers), {@code worker}
 * (workers only), {@code queue stats|list|retry|remove|pause|resume}, {@code user grant-admin|revoke-admin}
 * and {@code doctor}.
 */
@Command(name = "redkit", mixinStandardHelpOptions = true, version = "redkit 0.1.0-SNAPSHOT",
        description = "Redis-backed caching, job queues, rate limiting and sessions.",
        subcommands = {ServeCommand.class, WorkerCommand.class, QueueCommand.class, UserCommand.class, DoctorCommand.class,
                CommandLine.HelpCommand.class})
public final class RedkitCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RedkitCommand()).execute(args));
    }
}
