/** Redkit ratelimit. See the module's issue for what lands here. */
package io.redkit.ratelimit;
