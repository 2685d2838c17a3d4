using Grpc.Core;
using Tend.Stores.Etcd.Grpc;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>How a unary gRPC answer is turned into what the store's retry and cancellation paths expect.</summary>
public sealed class EtcdGrpcAnswerTests
{
    [Fact]
    public async Task AnswerAsync_ServerErrorAfterCallerCancelled_Cancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var call = Unary<string>(Task.FromException<string>(new RpcException(new Status(StatusCode.NotFound, "etcdserver: requested lease not found"))));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => EtcdGrpcConnection.AnswerAsync(call, cts.Token));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.IsType<RpcException>(ex.InnerException);
    }

    [Fact]
    public async Task AnswerAsync_ServerErrorNotCancelled_ServerErrorAsIs()
    {
        var call = Unary<string>(Task.FromException<string>(new RpcException(new Status(StatusCode.NotFound, "etcdserver: requested lease not found"))));

        var ex = await Assert.ThrowsAsync<RpcException>(() => EtcdGrpcConnection.AnswerAsync(call, CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task AnswerAsync_CancelledWithoutTheCallerAsking_DeadlineExceeded()
    {
        var call = Unary<string>(Task.FromCanceled<string>(new CancellationToken(canceled: true)));

        var ex = await Assert.ThrowsAsync<RpcException>(() => EtcdGrpcConnection.AnswerAsync(call, CancellationToken.None));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    private static AsyncUnaryCall<T> Unary<T>(Task<T> answer) =>
        new(answer, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
}
