/**
 * JUnit 5 extensions: {@link io.redkit.testkit.junit.WithRedis @WithRedis},
 * {@link io.redkit.testkit.junit.WithRedisCluster @WithRedisCluster} and
 * {@link io.redkit.testkit.junit.WithPostgres @WithPostgres}. One server of each kind is shared by
 * the whole test run (started on first use, stopped at the end); Redis is flushed before each test.
 * Tests receive the server as a parameter.
 */
package io.redkit.testkit.junit;
