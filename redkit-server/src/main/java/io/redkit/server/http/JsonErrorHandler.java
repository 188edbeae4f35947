package io.redkit.server.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * Errors Jetty raises itself (bad URIs, bodies over its limits, failures before a servlet runs)
 * answered as JSON like every other error — never an HTML page or a stack trace.
 */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String code = status == 404 ? "not_found" : status == 413 ? "payload_too_large"
                : status >= 500 ? "internal_error" : "bad_request";
        String message = status >= 500 ? "the server failed to answer" : "the request was rejected (HTTP " + status + ")";
        try {
            byte[] body = Json.MAPPER.writeValueAsBytes(Exchange.errorBody(code, message));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());
            response.write(true, ByteBuffer.wrap(body), callback);
        } catch (Exception e) {
            callback.failed(e);
        }
        return true;
    }
}
