/** Health checks and the doctor: is each namespace's Redis up, and is it configured for its job. */
package io.redkit.core.health;
