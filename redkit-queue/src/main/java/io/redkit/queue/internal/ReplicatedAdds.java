package io.redkit.queue.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedkitException;
import io.redkit.queue.QueueException;

import java.util.List;

/**
 * Adds that wait for replication ({@code QueueOptions.replicationWait}): the enqueue script and
 * {@code WAIT} are sent on one dedicated connection to the node that owns the queue's slot, one add
 * at a time, because {@code WAIT} waits for the writes of its own connection and would stall the
 * shared pipelined one. Closed with the Redkit that owns the namespace.
 */
final class ReplicatedAdds {
    private final RedisJobQueue queue;
    private final RedisNamespace ns;
    private final int replicas;
    private final long timeoutMs;
    private StatefulConnection<String, byte[]> connection;

    ReplicatedAdds(RedisJobQueue queue, RedisNamespace ns, int replicas, long timeoutMs) {
        this.queue = queue;
        this.ns = ns;
        this.replicas = replicas;
        this.timeoutMs = timeoutMs;
    }

    /** Runs the enqueue script, then waits for the replicas; throws when too few acknowledge. */
    synchronized List<Object> enqueue(String[] keys, Object[] args) {
        byte[][] values = RedisNamespace.encodeArgs(args);
        try {
            RedisCommands<String, byte[]> cmd = node();
            List<Object> reply;
            try {
                reply = cmd.evalsha(Scripts.ENQUEUE.sha1(), ScriptOutputType.MULTI, keys, values);
            } catch (RedisCommandExecutionException e) {
                if (!String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) throw e;
                reply = cmd.eval(Scripts.ENQUEUE.body(), ScriptOutputType.MULTI, keys, values);
            }
            long acked = cmd.waitForReplication(replicas, timeoutMs);
            if (acked < replicas) {
                StringBuilder ids = new StringBuilder();
                for (int i = 0; i < reply.size(); i += 2) {
                    ids.append(ids.length() == 0 ? "" : ",").append(Replies.str(reply.get(i)));
                }
                throw new QueueException(queue.name(), "job(s) " + ids + " were added on the primary, but only " + acked + " of "
                        + replicas + " replica(s) acknowledged within " + timeoutMs + " ms; a failover now could lose them");
            }
            return reply;
        } catch (QueueException e) {
            throw e;
        } catch (RuntimeException e) {
            RedkitException t = ns.translate("add with replication wait", e);
            throw t;
        }
    }

    private RedisCommands<String, byte[]> node() {
        if (connection == null || !connection.isOpen()) {
            if (connection != null) {
                connection.closeAsync();
            }
            RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
            connection = ns.openDedicated(codec, ns.commandTimeout().plusMillis(timeoutMs));
        }
        if (connection instanceof StatefulRedisClusterConnection) {
            StatefulRedisClusterConnection<String, byte[]> cc = (StatefulRedisClusterConnection<String, byte[]>) connection;
            RedisClusterNode owner = cc.getPartitions().getPartitionBySlot(SlotHash.getSlot(queue.keys().base()));
            StatefulRedisConnection<String, byte[]> nodeConnection = cc.getConnection(owner.getNodeId());
            return nodeConnection.sync();
        }
        return ((StatefulRedisConnection<String, byte[]>) connection).sync();
    }
}
