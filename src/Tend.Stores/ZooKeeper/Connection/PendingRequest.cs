using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>A request sent and waiting for its reply, in send order.</summary>
internal abstract class PendingRequest(int xid, OpCode type)
{
    public int Xid { get; } = xid;

    public OpCode Type { get; } = type;

    /// <summary>Decodes the reply body (on the reader, from the receive buffer); nothing runs but the parser.</summary>
    public abstract void Decode(in ReplyHeader header, ref JuteReader body);

    /// <summary>Completes the task with the decoded reply; the awaiting code runs inline on the calling thread.</summary>
    public abstract void Publish();

    public abstract void Fail(Exception error);
}

/// <summary>A pending request whose reply body decodes to <typeparamref name="T"/>.</summary>
internal sealed class PendingRequest<T>(int xid, OpCode type, ResponseParser<T> parser) : PendingRequest(xid, type)
{
    // Synchronous continuations on purpose: the connection's reader runs them inline (one thread
    // wake-up per reply) and a watchdog hands the socket to another reader if one of them blocks.
    private readonly TaskCompletionSource<Reply<T>> _completion = new(TaskCreationOptions.None);
    private Reply<T> _reply;

    public Task<Reply<T>> Task => _completion.Task;

    public override void Decode(in ReplyHeader header, ref JuteReader body)
    {
        // A parse error propagates to the reader, which kills the connection and fails this request with it.
        var value = header.Error == ZooKeeperErrorCode.Ok ? parser(ref body) : default;
        _reply = new Reply<T>(header.Zxid, header.Error, value);
    }

    public override void Publish() => _completion.TrySetResult(_reply);

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
