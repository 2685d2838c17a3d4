using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.ZooKeeper.Protocol;
using Tend.Stores.ZooKeeper.Session;

namespace Tend.Stores.ZooKeeper.Kv;

/// <summary>
/// An ephemeral node kept in place: re-created after a session expiry and after someone else
/// deletes it (a data watch on the node says so), deleted on dispose.
/// </summary>
internal sealed class ZooKeeperRegistration : IKvRegistration
{
    private readonly ZooKeeperClient _client;
    private readonly ILogger _logger;
    private readonly byte[] _data;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<ZooKeeperWatchEvent> _onNodeEvent;
    private readonly Action<ZooKeeperState> _onState;
    private Task _keeper = Task.CompletedTask;
    private int _state = (int)KvRegistrationState.Recovering;

    public ZooKeeperRegistration(ZooKeeperClient client, string key, string value, ILogger logger)
    {
        _client = client;
        Key = key;
        Value = value;
        _logger = logger;
        _data = Encoding.UTF8.GetBytes(value);
        _onNodeEvent = e =>
        {
            if (e.Type is ZooKeeperEventType.NodeDeleted or ZooKeeperEventType.NodeDataChanged)
            {
                _wake.Writer.TryWrite(true);
            }
        };
        _client.Session.Watches.RunInline(_onNodeEvent);
        _onState = s =>
        {
            if (s == ZooKeeperState.Expired)
            {
                SetState(KvRegistrationState.Recovering);
            }

            if (s is ZooKeeperState.Expired or ZooKeeperState.Connected)
            {
                _wake.Writer.TryWrite(true);
            }
        };
    }

    public string Key { get; }

    public string Value { get; }

    public KvRegistrationState State => (KvRegistrationState)Volatile.Read(ref _state);

    /// <summary>Creates the node (taking over a stale one) and starts keeping it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _client.StateChanged += _onState;
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        _keeper = Task.Run(KeepAsync, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, (int)KvRegistrationState.Closed) == (int)KvRegistrationState.Closed)
        {
            return;
        }

        _client.StateChanged -= _onState;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _keeper.ConfigureAwait(false);
        _client.Session.Watches.RemoveEverywhere(_onNodeEvent);
        try
        {
            var stat = await _client.ExistsAsync(Key).ConfigureAwait(false);
            if (stat is not null && stat.EphemeralOwner == _client.SessionId)
            {
                await _client.DeleteAsync(Key, stat.Version).ConfigureAwait(false);
            }
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NoNode or ZooKeeperErrorCode.BadVersion or ZooKeeperErrorCode.ConnectionLoss)
        {
            // Gone, replaced by someone else, or the session is going away with it anyway.
        }

        _stop.Dispose();
    }

    private async Task KeepAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                try
                {
                    if (await EnsureAsync(_stop.Token).ConfigureAwait(false))
                    {
                        KvLog.Recreated(_logger, Key);
                    }
                }
                catch (ZooKeeperException ex)
                {
                    // Not connected or refused: the next state change wakes us again; retry a refusal later.
                    KvLog.RecreateFailed(_logger, Key, ex.Message);
                    if (ex is not ZooKeeperConnectionLossException)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                        _wake.Writer.TryWrite(true);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Makes sure our ephemeral node exists with our value; true when it had to be (re-)created.</summary>
    private async Task<bool> EnsureAsync(CancellationToken cancellationToken)
    {
        bool created = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _client.Session.Watches.RemoveData(Key, _onNodeEvent);
            _client.Session.Watches.RemoveExist(Key, _onNodeEvent);
            var stat = await _client.ExistsAsync(Key, _onNodeEvent, cancellationToken).ConfigureAwait(false);
            if (stat is not null && stat.EphemeralOwner == _client.SessionId)
            {
                // The exists call above left a data watch on our node: a delete by anyone wakes us.
                SetState(KvRegistrationState.Registered);
                return created;
            }

            if (stat is not null)
            {
                // Someone else's node (often our own from a session that has not expired yet): take it over.
                try
                {
                    await _client.DeleteAsync(Key, stat.Version, cancellationToken).ConfigureAwait(false);
                }
                catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NoNode or ZooKeeperErrorCode.BadVersion)
                {
                    continue;
                }
            }

            try
            {
                await _client.CreateAsync(Key, _data, CreateMode.Ephemeral, createParents: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
            {
                continue;
            }

            // Go round once more: the watch set before the create fired on it and must be set again.
            created = true;
        }
    }

    private void SetState(KvRegistrationState state)
    {
        int current;
        do
        {
            current = Volatile.Read(ref _state);
            if (current == (int)KvRegistrationState.Closed)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _state, (int)state, current) != current);
    }
}
