package io.redkit.core.codec;

/**
 * An encoded value is larger than the configured maximum. Nothing was written. An
 * {@link IllegalArgumentException}: the caller passed a value that is too big.
 */
public class PayloadTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long limit;

    public PayloadTooLargeException(String what, long size, long limit) {
        super(what + " is " + size + " bytes encoded; the limit is " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
