using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper.Connection;

/// <summary>A request sent and waiting for its reply, in send order.</summary>
internal abstract class PendingRequest(int xid, OpCode type)
{
    public int Xid { get; } = xid;

    public OpCode Type { get; } = type;

    public abstract void Complete(in ReplyHeader header, ref JuteReader body);

    public abstract void Fail(Exception error);
}

/// <summary>A pending request whose reply body decodes to <typeparamref name="T"/>.</summary>
internal sealed class PendingRequest<T>(int xid, OpCode type, ResponseParser<T> parser) : PendingRequest(xid, type)
{
    private readonly TaskCompletionSource<Reply<T>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Reply<T>> Task => _completion.Task;

    public override void Complete(in ReplyHeader header, ref JuteReader body)
    {
        // A parse error propagates to the receive loop, which kills the connection and fails this request with it.
        var value = header.Error == ZooKeeperErrorCode.Ok ? parser(ref body) : default;
        _completion.TrySetResult(new Reply<T>(header.Zxid, header.Error, value));
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
