/** Redkit bench. See the module's issue for what lands here. */
package io.redkit.bench;
