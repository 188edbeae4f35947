package io.redkit.web.session;

import io.redkit.session.Rotation;
import io.redkit.session.Session;
import io.redkit.session.SessionInfo;
import io.redkit.session.SessionStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** An embedded Jetty 12 with the session filter in front of a small test application, and an HTTP client. */
final class WebApp implements AutoCloseable {
    private final Server server;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Runs inside /hook before the handler touches the session (e.g. to stop Redis mid-request). */
    volatile Runnable hook = () -> { };

    WebApp(SessionStore store, SessionFilterOptions options) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new SessionFilter(store, options)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new App()), "/*");
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    /** A GET with an optional cookie header ({@code name=value}). */
    HttpResponse<String> get(String pathAndQuery, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return get(pathAndQuery, null);
    }

    static List<String> setCookies(HttpResponse<?> r) {
        return r.headers().allValues("set-cookie");
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop Jetty", e);
        }
    }

    private final class App extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setContentType("text/plain");
            String path = req.getRequestURI();
            String out;
            switch (path) {
                case "/hello":
                    out = "hello";
                    break;
                case "/peek":
                    out = Sessions.current(req).map(s -> s.userId().orElse("anonymous")).orElse("none");
                    break;
                case "/set": {
                    Session s = Sessions.getOrCreate(req);
                    s.set(req.getParameter("k"), req.getParameter("v"));
                    out = "ok";
                    break;
                }
                case "/set-then-flush": {
                    Sessions.getOrCreate(req).set("k", "v");
                    res.getWriter().write("flushed");
                    res.flushBuffer();
                    return;
                }
                case "/get":
                    out = Sessions.current(req).flatMap(s -> s.get(req.getParameter("k"), String.class)).orElse("none");
                    break;
                case "/create-only":
                    Sessions.getOrCreate(req);
                    out = "created nothing";
                    break;
                case "/login":
                    out = Sessions.login(req, req.getParameter("user")).handle();
                    break;
                case "/rotate":
                    out = Sessions.rotate(req).handle();
                    break;
                case "/promote": // a role change: change the privilege, then rotate; the filter saves after
                    Sessions.current(req).orElseThrow().set("role", "admin");
                    out = Sessions.rotate(req).handle();
                    break;
                case "/role":
                    out = Sessions.current(req).map(s -> s.get("role", String.class).orElse("user")).orElse("none");
                    break;
                case "/renew":
                    out = Sessions.rotate(req, Rotation.ROUTINE).handle();
                    break;
                case "/change-session-id":
                    out = req.changeSessionId();
                    break;
                case "/logout":
                    out = String.valueOf(Sessions.logout(req));
                    break;
                case "/devices":
                    out = Sessions.devices(req).stream()
                            .map(d -> d.handle() + "|" + d.deviceLabel() + "|" + d.current())
                            .collect(Collectors.joining("\n"));
                    break;
                case "/revoke": {
                    Optional<String> user = Sessions.current(req).flatMap(Session::userId);
                    out = String.valueOf(user.isPresent() && Sessions.store(req).revoke(user.get(), req.getParameter("handle")));
                    break;
                }
                case "/http-session": {
                    HttpSession hs = req.getSession();
                    Object n = hs.getAttribute("count");
                    int count = n == null ? 1 : ((Number) n).intValue() + 1;
                    hs.setAttribute("count", count);
                    out = hs.getId() + " " + count + " " + hs.isNew();
                    break;
                }
                case "/http-session-invalidate":
                    req.getSession().invalidate();
                    out = String.valueOf(req.getSession(false));
                    break;
                case "/peek-twice":
                    // an earlier filter that tolerates a failed load (treats the request as anonymous) ...
                    try {
                        Sessions.current(req);
                    } catch (RuntimeException tolerated) {
                        // ... must not make the handler's own look-up see "no session"
                    }
                    out = Sessions.current(req).map(s -> s.userId().orElse("anonymous")).orElse("none");
                    break;
                case "/hook":
                    hook.run();
                    out = Sessions.current(req).map(s -> "session").orElse("none");
                    break;
                default:
                    res.sendError(404);
                    return;
            }
            res.getWriter().write(out);
        }
    }

    static String handles(List<SessionInfo> infos) {
        return infos.stream().map(SessionInfo::handle).collect(Collectors.joining(","));
    }
}
