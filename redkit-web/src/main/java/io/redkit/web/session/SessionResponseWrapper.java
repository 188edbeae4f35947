package io.redkit.web.session;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.io.PrintWriter;

/** Saves the session and writes its cookie before the handler starts the body, while headers can still change. */
final class SessionResponseWrapper extends HttpServletResponseWrapper {
    private final RequestSession ctx;

    SessionResponseWrapper(HttpServletResponse response, RequestSession ctx) {
        super(response);
        this.ctx = ctx;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        ctx.beforeOutput();
        return super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        ctx.beforeOutput();
        return super.getWriter();
    }

    @Override
    public void flushBuffer() throws IOException {
        ctx.beforeOutput();
        super.flushBuffer();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        ctx.beforeOutput();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        ctx.beforeOutput();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        ctx.beforeOutput();
        super.sendRedirect(location);
    }
}
