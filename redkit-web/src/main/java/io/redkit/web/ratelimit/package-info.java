/** Rate-limiting servlet filter. */
package io.redkit.web.ratelimit;
