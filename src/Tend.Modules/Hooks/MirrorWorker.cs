using Tend.Core.Mirror;

namespace Tend.Modules.Hooks;

/// <summary>
/// What every hook shares: a subscription to one shared mirror that records changes under a lock and
/// wakes one background loop, which does the slow work (commands, files) outside the mirror's thread.
/// Disposal unsubscribes first, so no update arrives for a loop that is stopping, and gives the
/// worker's lease on the mirror back last: a prefix nothing reads any more stops being watched.
/// </summary>
internal abstract class MirrorWorker : IAsyncDisposable
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly KvMirrorLease _lease;
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;
    private Task? _loop;

    /// <param name="lease">The worker's hold on the shared mirror it reads; the worker owns it and disposes it when it stops.</param>
    protected MirrorWorker(KvMirrorLease lease)
    {
        _lease = lease;
    }

    /// <summary>The shared mirror this worker reads.</summary>
    protected KvMirror Mirror => _lease.Mirror;

    /// <summary>Guards the worker's pending state between the mirror's callbacks and the loop.</summary>
    protected Lock Gate { get; } = new();

    public void Start()
    {
        lock (Gate)
        {
            if (_loop is not null)
            {
                return;
            }

            _subscription = Mirror.Subscribe(OnUpdate);
            _loop = Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected on shutdown.
            }
        }

        _stopping.Dispose();
        _wake.Dispose();
        _lease.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Called on the mirror's thread for every update: record what changed (under <see cref="Gate"/>) and <see cref="Wake"/>.</summary>
    protected abstract void OnUpdate(KvMirrorUpdate update);

    /// <summary>The background loop; ends when <paramref name="cancellationToken"/> is cancelled.</summary>
    protected abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Wakes the loop from <see cref="SleepAsync"/>; a no-op once the worker is disposed.</summary>
    protected void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Stopped: an update that raced the disposal has nobody left to wake.
        }
    }

    /// <summary>Sleeps until woken or until <paramref name="timeout"/> passes.</summary>
    protected Task<bool> SleepAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
