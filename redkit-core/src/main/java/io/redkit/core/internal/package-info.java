/**
 * Implementation details of Redkit: <strong>not API</strong>. Other Redkit modules may use these
 * classes; applications must not, as they change without notice.
 */
package io.redkit.core.internal;
