/**
 * Real Redis (standalone and a three-master Cluster) and PostgreSQL processes on free ports, for
 * tests and for Redkit's embedded default. No Docker and no mocks. The process classes need no
 * JUnit; {@link io.redkit.testkit.junit} adds JUnit 5 extensions that share one of each per test
 * run and give each test a clean keyspace.
 */
package io.redkit.testkit;
