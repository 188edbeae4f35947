package io.redkit.core.codec;

import io.redkit.core.RedkitException;

/** A value could not be encoded or decoded. */
public class CodecException extends RedkitException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
