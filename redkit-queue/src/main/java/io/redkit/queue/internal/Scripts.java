package io.redkit.queue.internal;

import io.redkit.core.RedisScript;

/** The queue's Lua scripts, one per atomic operation, loaded once from the resources beside this class. */
final class Scripts {
    static final RedisScript ENQUEUE = RedisScript.load(Scripts.class, "enqueue.lua");
    static final RedisScript FETCH = RedisScript.load(Scripts.class, "fetch.lua");
    static final RedisScript FAIL = RedisScript.load(Scripts.class, "fail.lua");
    static final RedisScript RELEASE = RedisScript.load(Scripts.class, "release.lua");
    static final RedisScript RENEW = RedisScript.load(Scripts.class, "renew.lua");
    static final RedisScript PROGRESS = RedisScript.load(Scripts.class, "progress.lua");
    static final RedisScript GET = RedisScript.load(Scripts.class, "get.lua");
    static final RedisScript COUNTS = RedisScript.load(Scripts.class, "counts.lua");
    static final RedisScript LIST = RedisScript.load(Scripts.class, "list.lua");
    static final RedisScript PAUSE = RedisScript.load(Scripts.class, "pause.lua");
    static final RedisScript REMOVE = RedisScript.load(Scripts.class, "remove.lua");
    static final RedisScript RETRY = RedisScript.load(Scripts.class, "retry.lua");
    static final RedisScript CANCEL = RedisScript.load(Scripts.class, "cancel.lua");
    static final RedisScript DRAIN = RedisScript.load(Scripts.class, "drain.lua");
    static final RedisScript STATS = RedisScript.load(Scripts.class, "stats.lua");
    static final RedisScript REPEAT_PUT = RedisScript.load(Scripts.class, "repeat_put.lua");
    static final RedisScript REPEAT_REMOVE = RedisScript.load(Scripts.class, "repeat_remove.lua");
    static final RedisScript REPEAT_DUE = RedisScript.load(Scripts.class, "repeat_due.lua");
    static final RedisScript REPEAT_CLAIM = RedisScript.load(Scripts.class, "repeat_claim.lua");

    private Scripts() {}
}
