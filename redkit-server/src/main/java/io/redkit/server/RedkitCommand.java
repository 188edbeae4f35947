package io.redkit.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code redkit} command line. Subcommands: {@code doctor} (more arrive with the reference
 * server: {@code serve}, {@code worker}, {@code queue}).
 */
@Command(name = "redkit", mixinStandardHelpOptions = true, version = "redkit 0.1.0-SNAPSHOT",
        description = "Redis-backed caching, job queues, rate limiting and sessions.",
        subcommands = {ServeCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class})
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
