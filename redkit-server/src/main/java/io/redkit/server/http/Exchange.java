package io.redkit.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP request and its response, with JSON helpers. Not thread-safe. */
public final class Exchange {
    /** Largest request body accepted: 1 MiB. Larger bodies get 413. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Map<String, String> pathParams;

    Exchange(HttpServletRequest request, HttpServletResponse response, Map<String, String> pathParams) {
        this.request = request;
        this.response = response;
        this.pathParams = pathParams;
    }

    public HttpServletRequest request() {
        return request;
    }

    public HttpServletResponse response() {
        return response;
    }

    /** A path parameter of the matched route, e.g. {@code id} of {@code /api/products/{id}}. */
    public String path(String name) {
        return pathParams.get(name);
    }

    /** A path parameter as a positive long, or 404 (an id that cannot exist is simply not found). */
    public long pathId(String name) {
        String v = path(name);
        try {
            long id = Long.parseLong(v);
            if (id > 0) return id;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.notFound("no " + name + " '" + v + "'");
    }

    /** A query parameter, or {@code null}. */
    public String query(String name) {
        String v = request.getParameter(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** A query parameter as an int within [min, max], {@code def} when absent; 400 otherwise. */
    public int queryInt(String name, int def, int min, int max) {
        String v = query(name);
        if (v == null) return def;
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.badRequest(name + " must be an integer from " + min + " to " + max + ": '" + v + "'");
    }

    /** The body as a JSON object; 413 when over {@link #MAX_BODY_BYTES}, 400 when not a JSON object. */
    public JsonNode body() {
        byte[] bytes = readBody();
        if (bytes.length == 0) {
            throw ApiException.badRequest("a JSON object body is required");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] readBody() {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            throw new ApiException(413, "payload_too_large", "the body is " + declared + " bytes; the limit is " + MAX_BODY_BYTES);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new ApiException(413, "payload_too_large", "the body is over the limit of " + MAX_BODY_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the body: " + e.getMessage());
        }
    }

    /** Writes {@code body} as JSON with {@code status}. */
    public void json(int status, Object body) {
        try {
            byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
            response.setStatus(status);
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An empty response with {@code status} (e.g. 204). */
    public void status(int status) {
        response.setStatus(status);
    }

    /** Writes {@code {"error": code, "message": message}}. */
    public void error(int status, String code, String message) {
        json(status, errorBody(code, message));
    }

    static Map<String, Object> errorBody(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", message);
        return m;
    }

    /** The client's address as the servlet container sees it. */
    public String remoteAddress() {
        return request.getRemoteAddr();
    }
}
