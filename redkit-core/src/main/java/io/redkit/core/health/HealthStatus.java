package io.redkit.core.health;

/** Whether a namespace's Redis answered. */
public enum HealthStatus { UP, DOWN }
