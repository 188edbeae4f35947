package io.redkit.session;

/**
 * What one sweep did.
 *
 * @param indexesVisited user indexes the sweep looked at
 * @param entriesRemoved expired entries it removed (each reported as an {@link SessionEvent.Type#EXPIRED} event)
 */
public record SweepResult(long indexesVisited, long entriesRemoved) {
}
