/** How values become bytes in Redis: a small codec interface, JSON (Jackson) by default. */
package io.redkit.core.codec;
