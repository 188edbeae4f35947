package io.redkit.server;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashing with Argon2id (OWASP's recommended parameters: 19 MiB, 2 iterations,
 * parallelism 1), stored in the PHC string format so parameters can be raised later.
 */
final class Passwords {
    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID);

    /** Shortest password accepted at registration. */
    static final int MIN_LENGTH = 10;
    /** Longest password accepted (Argon2 has no limit, but a bound keeps hashing cost bounded). */
    static final int MAX_LENGTH = 256;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {}

    static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }

    /** A new random password: 20 characters of URL-safe base64 (120 bits), for accounts the server creates. */
    static String random() {
        byte[] b = new byte[15];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static boolean verify(String password, String hash) {
        return Password.check(password, hash).with(ARGON2);
    }
}
