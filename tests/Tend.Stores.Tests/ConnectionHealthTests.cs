using Tend.Core.Kv;
using Xunit;

namespace Tend.Stores.Tests;

public sealed class ConnectionHealthTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Current_NothingAskedYet_UnknownWithoutError()
    {
        var health = new ConnectionHealth(_clock);
        Assert.Equal(KvStoreConnectionState.Unknown, health.Current.State);
        Assert.Null(health.Current.LastError);
    }

    [Fact]
    public void Lost_ThenConnectedAtOnce_NeverUnreachableOneReconnect()
    {
        var health = new ConnectionHealth(_clock);
        health.Connected();
        _clock.Advance(10);
        health.Lost("stream broke");
        Assert.Equal(KvStoreConnectionState.Connected, health.Current.State);

        health.Connected();

        Assert.Equal(KvStoreConnectionState.Connected, health.Current.State);
        Assert.Equal(1, health.Current.Reconnects);
        Assert.Equal("stream broke", health.Current.LastError);
    }

    [Fact]
    public void Lost_ThenAttemptsFail_UnreachableSinceTheLossUntilAnAnswer()
    {
        var health = new ConnectionHealth(_clock);
        health.Connected();
        _clock.Advance(10);
        var lostAt = _clock.GetUtcNow();
        health.Lost("stream broke");
        _clock.Advance(1);
        health.Failed("connection refused");
        _clock.Advance(30);
        health.Failed("connection refused again");

        Assert.Equal(KvStoreConnectionState.Unreachable, health.Current.State);
        Assert.Equal(lostAt, health.Current.Since);
        Assert.Equal("connection refused again", health.Current.LastError);
        Assert.Equal(0, health.Current.Reconnects);

        _clock.Advance(5);
        health.Connected();
        Assert.Equal(KvStoreConnectionState.Connected, health.Current.State);
        Assert.Equal(_clock.GetUtcNow(), health.Current.Since);
        Assert.Equal(1, health.Current.Reconnects);
        Assert.Equal("connection refused again", health.Current.LastError);
    }

    [Fact]
    public void Failed_BeforeEverConnecting_UnreachableAndTheFirstConnectionIsNoReconnect()
    {
        var health = new ConnectionHealth(_clock);
        health.Failed("no route");
        Assert.Equal(KvStoreConnectionState.Unreachable, health.Current.State);
        Assert.Equal(_clock.GetUtcNow(), health.Current.Since);

        health.Connected();
        Assert.Equal(0, health.Current.Reconnects);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(int seconds) => _now += TimeSpan.FromSeconds(seconds);
    }
}
