package io.redkit.queue.internal;

import io.redkit.core.RedisNamespace;

/**
 * Every Redis key of one queue; no other code builds key names. All keys share the hash tag
 * {@code {<queue>}}, so every script touches one Cluster slot. Job keys are built inside the scripts
 * from {@link #base()} with the same tag.
 *
 * <pre>
 * &lt;prefix&gt;:{q}:w    list   waiting jobs of priority 0, FIFO
 * &lt;prefix&gt;:{q}:pw   zset   waiting jobs of other priorities, score (1000 - priority) * 2^42 + id
 * &lt;prefix&gt;:{q}:d    zset   delayed jobs by due time (ms)
 * &lt;prefix&gt;:{q}:rt   zset   retrying jobs by due time (ms)
 * &lt;prefix&gt;:{q}:a    zset   active jobs by lease deadline (ms)
 * &lt;prefix&gt;:{q}:c    zset   kept completed jobs by finish time
 * &lt;prefix&gt;:{q}:x    zset   kept dead jobs by finish time
 * &lt;prefix&gt;:{q}:m    hash   queue state (paused)
 * &lt;prefix&gt;:{q}:st   hash   counters, completions per minute, processing-time histogram
 * &lt;prefix&gt;:{q}:ev   stream events, capped
 * &lt;prefix&gt;:{q}:mk   list   wake-up marker idle workers block on
 * &lt;prefix&gt;:{q}:id   string job id counter
 * &lt;prefix&gt;:{q}:rl   zset   recent starts, for the rate limit
 * &lt;prefix&gt;:{q}:r    zset   repeatable jobs by next occurrence
 * &lt;prefix&gt;:{q}:rd   hash   repeatable job definitions
 * &lt;prefix&gt;:{q}:j:ID string the job's record (immutable: header, type, metadata, payload)
 * &lt;prefix&gt;:{q}:s:ID hash   the job's run state (attempts, token, times, result, error, history), from its first start
 * &lt;prefix&gt;:{q}:ik:K string idempotency key K, naming a job id, with the window as expiry
 * </pre>
 */
public final class KeySpace {
    private final String base;
    final String wait;
    final String prioritized;
    final String delayed;
    final String retrying;
    final String active;
    final String completed;
    final String dead;
    final String meta;
    final String stats;
    final String events;
    final String marker;
    final String ids;
    final String rateLimit;
    final String repeats;
    final String repeatDefs;

    KeySpace(RedisNamespace namespace, String queue) {
        this.base = namespace.key("{" + queue + "}") + ":";
        this.wait = base + "w";
        this.prioritized = base + "pw";
        this.delayed = base + "d";
        this.retrying = base + "rt";
        this.active = base + "a";
        this.completed = base + "c";
        this.dead = base + "x";
        this.meta = base + "m";
        this.stats = base + "st";
        this.events = base + "ev";
        this.marker = base + "mk";
        this.ids = base + "id";
        this.rateLimit = base + "rl";
        this.repeats = base + "r";
        this.repeatDefs = base + "rd";
    }

    /** {@code <prefix>:{q}:}, the start of every key of the queue; scripts append {@code j:ID}, {@code s:ID}, {@code ik:K}. */
    public String base() {
        return base;
    }

    public String job(String id) {
        return base + "j:" + id;
    }

    public String state(String id) {
        return base + "s:" + id;
    }

    public String idempotency(String key) {
        return base + "ik:" + key;
    }

    String[] enqueue() {
        return new String[]{wait, prioritized, delayed, stats, events, marker, ids};
    }

    String[] fetch() {
        return new String[]{wait, prioritized, delayed, retrying, active, completed, dead, meta, stats, events, marker, rateLimit};
    }

    String[] fail() {
        return new String[]{wait, prioritized, retrying, active, dead, stats, events, marker};
    }

    String[] release() {
        return new String[]{wait, prioritized, active, events, marker, dead, stats};
    }

    String[] get() {
        return new String[]{wait, prioritized, delayed, retrying, active, completed, dead, meta, rateLimit};
    }

    String[] counts() {
        return new String[]{wait, prioritized, delayed, retrying, active, completed, dead, meta};
    }

    String[] remove() {
        return new String[]{wait, prioritized, delayed, retrying, active, completed, dead, events};
    }

    String[] retry() {
        return new String[]{wait, prioritized, dead, events, marker};
    }

    String[] drain() {
        return new String[]{wait, prioritized, delayed, retrying};
    }

    String[] repeatClaim() {
        return new String[]{wait, prioritized, stats, events, marker, ids, repeats};
    }

    /** Every queue-level key (not the per-job ones), e.g. for tests and tooling. */
    public String[] all() {
        return new String[]{wait, prioritized, delayed, retrying, active, completed, dead, meta, stats, events, marker, ids,
                rateLimit, repeats, repeatDefs};
    }

    /** The zset that holds jobs in {@code state} (not waiting). */
    String zsetOf(io.redkit.queue.JobState state) {
        switch (state) {
            case DELAYED: return delayed;
            case RETRYING: return retrying;
            case ACTIVE: return active;
            case COMPLETED: return completed;
            case DEAD: return dead;
            default: return prioritized;
        }
    }
}
