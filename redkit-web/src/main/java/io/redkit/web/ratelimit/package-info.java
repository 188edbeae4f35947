/**
 * The rate-limiting servlet filter: {@link io.redkit.web.ratelimit.RateLimitFilter} maps routes to
 * {@link io.redkit.ratelimit.RatePolicy} limits, resolves keys (client IP behind trusted proxies,
 * user, API key, custom) and answers with IETF {@code RateLimit} headers and {@code 429}.
 */
package io.redkit.web.ratelimit;
