package io.redkit.server;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.RedkitConfigException;
import io.redkit.core.health.Doctor;
import io.redkit.core.health.DoctorReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code redkit doctor}: checks each namespace's Redis and prints what is wrong for its job. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Connects to each namespace's Redis (cache, queue, session) and reports its health and "
                + "configuration problems: eviction on the queue, noeviction on the cache, Redis older than 6.2, "
                + "no password on a reachable address, no persistence for the queue.",
                "Reads REDIS_URL and the other variables of docs/configuration.md; with no REDIS_URL it starts "
                        + "the embedded Redis and inspects that."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every namespace answered (warnings may be printed)", "1:a namespace is down",
                "2:the configuration is invalid"})
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--strict", description = "Exit 1 when there is any warning, not only when Redis is down.")
    boolean strict;

    @Override
    public Integer call() {
        RedkitConfig config;
        try {
            config = RedkitConfig.fromEnv();
        } catch (RedkitConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return 2;
        }
        try (EmbeddedServices services = EmbeddedServices.resolve(config, System.out);
             Redkit redkit = Redkit.create(services.config())) {
            DoctorReport report = Doctor.inspect(redkit);
            System.out.print(report.format());
            if (!report.allUp()) return 1;
            return strict && !report.warnings().isEmpty() ? 1 : 0;
        }
    }
}
