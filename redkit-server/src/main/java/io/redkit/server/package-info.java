/** The reference server and the {@code redkit} command line. */
package io.redkit.server;
