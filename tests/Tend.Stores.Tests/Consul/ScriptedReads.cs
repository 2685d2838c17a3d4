using System.Threading.Channels;
using Tend.Core.Kv;
using Tend.Core.Retry;

namespace Tend.Stores.Tests.Consul;

/// <summary>The tracker's read seam, answered by the test: each read waits until the test answers or fails it.</summary>
internal sealed class ScriptedReads
{
    private readonly Channel<Call> _calls = Channel.CreateUnbounded<Call>();

    public async Task<KvSnapshot> ReadAsync(string prefix, long index, TimeSpan? wait, bool consistent, CancellationToken cancellationToken)
    {
        var call = new Call(prefix, index, wait, consistent);
        await _calls.Writer.WriteAsync(call, cancellationToken);
        using (cancellationToken.Register(() => call.Answer.TrySetCanceled(cancellationToken)))
        {
            return await call.Answer.Task;
        }
    }

    /// <summary>The next read the tracker makes.</summary>
    public async Task<Call> NextAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public sealed record Call(string Prefix, long Index, TimeSpan? Wait, bool Consistent)
    {
        public TaskCompletionSource<KvSnapshot> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A retry policy that counts its use and waits almost nothing.</summary>
internal sealed class CountingBackoff : IRetryPolicy
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public TimeSpan NextDelay(int failures)
    {
        Interlocked.Increment(ref _calls);
        return TimeSpan.FromMilliseconds(1);
    }
}
