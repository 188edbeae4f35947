/**
 * Implementation of the queue: key names, the Lua scripts' Java side, the worker. Not API: anything
 * here may change in any release.
 */
package io.redkit.queue.internal;
