/**
 * Cache benchmarks: remote and near hits against raw Lettuce GETs of the same bytes, a PostgreSQL
 * page query cached vs uncached, and hit ratio on a Zipf workload. Each benchmark starts its own
 * embedded Redis (and PostgreSQL) through the testkit. See docs/performance.md for the commands.
 */
package io.redkit.bench.cache;
