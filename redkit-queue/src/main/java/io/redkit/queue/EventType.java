package io.redkit.queue;

/** What a {@link QueueEvent} reports. */
public enum EventType {
    ADDED, ACTIVE, PROGRESS, COMPLETED, FAILED, RETRYING, STALLED, DEAD, RELEASED, REMOVED, WAITING, PAUSED, RESUMED,
    /** An event this version does not know (written by a newer one). */
    UNKNOWN;

    /** The type for a stream entry's {@code e} field. */
    public static EventType of(String id) {
        for (EventType t : values()) {
            if (t.name().equalsIgnoreCase(id)) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
