package io.redkit.session;

import io.redkit.core.internal.Checks;

import java.lang.reflect.Type;

/**
 * The name and type of a session attribute, for typed reads and writes:
 *
 * <pre>{@code
 * static final AttributeKey<Cart> CART = AttributeKey.of("cart", Cart.class);
 * session.set(CART, cart);
 * Optional<Cart> c = session.get(CART);
 * }</pre>
 *
 * <p>Values are stored as JSON with the store's codec. A generic type can be given as a
 * {@link Type} (e.g. from Jackson's {@code TypeReference#getType()}).
 *
 * @param name the attribute's name: 1 to {@link #MAX_NAME_LENGTH} characters, no control characters
 * @param type the type values are read as
 * @param <T>  the value type
 */
public record AttributeKey<T>(String name, Type type) {
    /** Longest attribute name, in characters. */
    public static final int MAX_NAME_LENGTH = 128;

    public AttributeKey {
        validateName(name);
        Checks.notNull(type, "type");
    }

    /** A key for values of class {@code type}. */
    public static <T> AttributeKey<T> of(String name, Class<T> type) {
        return new AttributeKey<>(name, type);
    }

    /**
     * Checks an attribute name.
     *
     * @throws IllegalArgumentException naming the value when it is empty, too long or has control characters
     */
    public static String validateName(String name) {
        Checks.notNull(name, "attribute name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("attribute name must have 1 to " + MAX_NAME_LENGTH + " characters: \""
                    + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "\" has " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException("attribute name must not contain control characters: \""
                        + name.replaceAll("\\p{Cntrl}", "?") + "\"");
            }
        }
        return name;
    }
}
