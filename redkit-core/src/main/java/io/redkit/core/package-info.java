/**
 * Redkit's core: {@link io.redkit.core.RedkitConfig configuration} from the environment, a URL or
 * code; the {@link io.redkit.core.Redkit connection layer} with one
 * {@link io.redkit.core.RedisNamespace namespace} each for cache, queue and sessions; Lua
 * {@link io.redkit.core.RedisScript scripts} run by SHA; and the exception hierarchy rooted at
 * {@link io.redkit.core.RedkitException}.
 */
package io.redkit.core;
