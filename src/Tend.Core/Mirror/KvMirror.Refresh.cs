namespace Tend.Core.Mirror;

/// <summary>Read-your-writes for readers of the mirror: a refresh that is shared by readers arriving together.</summary>
public sealed partial class KvMirror
{
    private readonly Lock _refreshGate = new();
    private bool _refreshing;
    private TaskCompletionSource? _nextRefresh;

    /// <summary>
    /// Makes sure the mirror holds every change the store had made when this call began, asking the store
    /// (<see cref="Kv.IKvStore.CatchUpAsync"/>) instead of waiting for the watch to deliver it: a client that
    /// wrote through another process and then reads through the mirror sees its write.
    /// </summary>
    /// <remarks>
    /// Callers arriving while a refresh is in flight share the next one (started after they arrived, so it
    /// covers their writes), not the one in flight: a burst of readers costs the store two requests, not one
    /// each. Cancelling a caller only stops its wait; the shared refresh runs on for the others.
    /// </remarks>
    /// <exception cref="Kv.KvStoreUnavailableException">The store could not be reached.</exception>
    public Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (!IsSynced)
        {
            return WhenSynced.WaitAsync(cancellationToken);
        }

        TaskCompletionSource mine;
        lock (_refreshGate)
        {
            if (_refreshing)
            {
                _nextRefresh ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _nextRefresh.Task.WaitAsync(cancellationToken);
            }

            _refreshing = true;
            mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ = RunRefreshesAsync(mine);
        return mine.Task.WaitAsync(cancellationToken);
    }

    private async Task RunRefreshesAsync(TaskCompletionSource current)
    {
        while (true)
        {
            try
            {
                await CatchUpAsync(long.MaxValue, _stopping.Token).ConfigureAwait(false);
                current.TrySetResult();
            }
            catch (Exception ex)
            {
                current.TrySetException(ex);
            }

            lock (_refreshGate)
            {
                if (_nextRefresh is null)
                {
                    _refreshing = false;
                    return;
                }

                current = _nextRefresh;
                _nextRefresh = null;
            }
        }
    }
}
