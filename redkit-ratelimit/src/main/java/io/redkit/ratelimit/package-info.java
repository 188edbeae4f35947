/**
 * Distributed rate limiting on Redis: {@link io.redkit.ratelimit.RateLimiter}, named
 * {@link io.redkit.ratelimit.RatePolicy} values with exact sliding window, sliding window counter
 * and GCRA algorithms, multi-limit all-or-nothing checks, and failure modes for when Redis is away.
 */
package io.redkit.ratelimit;
