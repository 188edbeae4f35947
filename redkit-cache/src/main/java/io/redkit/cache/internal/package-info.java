/** Implementation of the Redkit cache. Not API: anything here may change without notice. */
package io.redkit.cache.internal;
