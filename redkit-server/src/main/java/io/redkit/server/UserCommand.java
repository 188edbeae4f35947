package io.redkit.server;

import io.redkit.core.RedkitConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

/**
 * {@code redkit user grant-admin|revoke-admin EMAIL}: sets or clears an account's admin flag in the
 * server's PostgreSQL ({@code DATABASE_URL}). The server reads the role on every request, so the
 * change holds from the next request on, on every instance; no restart, no new login.
 */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = {"Makes an account an admin or an ordinary user, in the database of DATABASE_URL. Admins manage and "
                + "inspect operations (queues, jobs, the dashboard, the doctor, rate limits) and change products; "
                + "the change applies from the next request on, on every server instance.",
                "An address listed in REDKIT_ADMIN_EMAILS is an admin while it is listed, whatever its flag."},
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:no such account, or the database is unavailable", "2:bad usage or configuration"})
final class UserCommand {
    private final Map<String, String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    UserCommand() {
        this(System.getenv());
    }

    UserCommand(Map<String, String> env) {
        this.env = env;
    }

    @Command(name = "grant-admin", mixinStandardHelpOptions = true,
            description = "Makes an existing account (register it first) an admin.")
    int grantAdmin(@Parameters(paramLabel = "EMAIL", description = "the account's e-mail address") String email) {
        return setAdmin(email, true);
    }

    @Command(name = "revoke-admin", mixinStandardHelpOptions = true,
            description = "Makes an admin an ordinary user again (its sessions stay; they lose admin rights at once).")
    int revokeAdmin(@Parameters(paramLabel = "EMAIL", description = "the account's e-mail address") String email) {
        return setAdmin(email, false);
    }

    private int setAdmin(String rawEmail, boolean admin) {
        String email = rawEmail.trim().toLowerCase(Locale.ROOT);
        ServerSettings settings;
        try {
            settings = ServerSettings.fromEnv(env);
        } catch (RedkitConfigException e) {
            err().println("configuration error: " + e.getMessage());
            return 2;
        }
        if (settings.databaseUrl == null) {
            err().println("DATABASE_URL is not set: point it at the server's PostgreSQL, e.g. "
                    + "DATABASE_URL=postgresql://user:password@127.0.0.1:5432/redkit (serve prints the embedded one's URL when it starts one)");
            return 2;
        }
        try (Database db = Database.open(settings.databaseUrl, 1)) {
            db.migrate(); // the flag's column comes with a migration; an older schema gets it now
            Users users = new Users(db.dataSource());
            var before = users.byEmail(email);
            if (before.isEmpty()) {
                err().println("no account '" + email + "'" + (admin ? "; register it first (POST /api/auth/register)" : ""));
                return 1;
            }
            if (before.get().adminFlag() == admin) {
                out().println(email + (admin ? " is already an admin" : " is not an admin"));
            } else {
                users.setAdmin(email, admin);
                out().println(email + (admin ? " is now an admin" : " is no longer an admin"));
            }
            if (!admin && settings.adminEmails.contains(email)) {
                out().println("note: REDKIT_ADMIN_EMAILS lists " + email + ": servers started with it still treat it as an admin");
            }
            return 0;
        } catch (SQLException | RuntimeException e) {
            if (e instanceof RedkitConfigException) {
                err().println("configuration error: " + e.getMessage());
                return 2;
            }
            err().println("the database is unavailable: " + e.getMessage());
            return 1;
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
