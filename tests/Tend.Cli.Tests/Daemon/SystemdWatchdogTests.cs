using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Config;
using Tend.Daemon;
using Tend.Testing;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

/// <summary>sd_notify's watchdog pings, at the seam: a real datagram socket standing in for systemd, a manual clock.</summary>
public sealed class SystemdWatchdogTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-watchdog-").FullName;
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ManualClock _clock = new();

    public SystemdWatchdogTests() => _systemd.Bind(new UnixDomainSocketEndPoint(SocketPath));

    private string SocketPath => Path.Combine(_dir, "notify");

    [Theory]
    [InlineData("20000000", null, 10_000)]
    [InlineData("20000000", "4242", 10_000)]
    [InlineData("500", null, 1)]
    public void WatchdogIntervalFor_WatchdogForThisProcess_IsHalfOfIt(string usec, string? pid, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), SystemdNotifier.WatchdogIntervalFor(usec, pid, 4242));

    [Theory]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("ten", null)]
    [InlineData("20000000", "1")]
    [InlineData("20000000", "x")]
    public void WatchdogIntervalFor_NoneMalformedOrAnotherProcess_IsNull(string? usec, string? pid) =>
        Assert.Null(SystemdNotifier.WatchdogIntervalFor(usec, pid, 4242));

    [Fact]
    public void Constructor_NoSocket_HasNoWatchdog() =>
        Assert.Null(new SystemdNotifier(null, Interval).WatchdogInterval);

    [Fact]
    public async Task ExecuteAsync_WatchdogEnabled_PingsEachHalfWatchdogWhileRunning()
    {
        using var signal = new ReloadSignal();
        var daemon = Daemon(signal, () => Config());
        await daemon.StartAsync(CancellationToken.None);

        Assert.Equal("READY=1", await ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        for (int i = 0; i < 3; i++)
        {
            await _clock.TimerCreated.WaitAsync(Bound);
            _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
            Assert.Equal(1, _clock.Pending);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        }

        await daemon.StopAsync(CancellationToken.None);
        Assert.Equal("STOPPING=1", await ReceiveAsync());
        _clock.Advance(Interval * 5);
        Assert.Equal(0, _systemd.Available);
        daemon.Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_LoopHangsInReload_StopsPingingUntilItReturns()
    {
        using var signal = new ReloadSignal();
        using var release = new ManualResetEventSlim();
        var daemon = Daemon(signal, () =>
        {
            release.Wait(Bound);
            return Config();
        });
        await daemon.StartAsync(CancellationToken.None);
        Assert.Equal("READY=1", await ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
        await _clock.TimerCreated.WaitAsync(Bound);

        daemon.RequestReload();
        Assert.Equal("RELOADING=1", await ReceiveAsync());
        _clock.Advance(Interval * 10);
        Assert.Equal(0, _clock.Pending);
        Assert.Equal(0, _systemd.Available);

        release.Set();
        Assert.Equal("READY=1", await ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());

        await daemon.StopAsync(CancellationToken.None);
        daemon.Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_NoWatchdog_SendsNoPings()
    {
        using var signal = new ReloadSignal();
        var daemon = new TendDaemon(Config(), () => Config(), NullLoggerFactory.Instance, signal, new SystemdNotifier(SocketPath, null), _clock);
        await daemon.StartAsync(CancellationToken.None);
        Assert.Equal("READY=1", await ReceiveAsync());
        await daemon.StopAsync(CancellationToken.None);
        Assert.Equal("STOPPING=1", await ReceiveAsync());
        Assert.Equal(0, _clock.Created);
        daemon.Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_HostNotStartedYet_ReadyOnlyOnceItHas()
    {
        using var signal = new ReloadSignal();
        var lifetime = new StartedOnRequest();
        var daemon = new TendDaemon(Config(), () => Config(), NullLoggerFactory.Instance, signal, new SystemdNotifier(SocketPath, null), _clock, lifetime);
        await daemon.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => daemon.Runtime is not null, Bound, "the modules start");

        // The modules run, but the host (its HTTP listener) has not started: READY=1 would promise a /healthz
        // that refuses. A datagram sent at once would be here well within this.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, _systemd.Available);

        lifetime.Started();
        Assert.Equal("READY=1", await ReceiveAsync());
        await daemon.StopAsync(CancellationToken.None);
        Assert.Equal("STOPPING=1", await ReceiveAsync());
        daemon.Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_StoppedBeforeTheHostStarted_NeverReadyAndTheModulesStop()
    {
        using var signal = new ReloadSignal();
        var daemon = new TendDaemon(Config(), () => Config(), NullLoggerFactory.Instance, signal, new SystemdNotifier(SocketPath, null), _clock, new StartedOnRequest());
        await daemon.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => daemon.Runtime is not null, Bound, "the modules start");

        await daemon.StopAsync(CancellationToken.None);

        Assert.Equal("STOPPING=1", await ReceiveAsync());
        Assert.Null(daemon.Runtime);
        daemon.Dispose();
    }

    public void Dispose()
    {
        _systemd.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private TendDaemon Daemon(ReloadSignal signal, Func<TendConfig> reload) =>
        new(Config(), reload, NullLoggerFactory.Instance, signal, new SystemdNotifier(SocketPath, Interval), _clock);

    private TendConfig Config() => TendConfigLoader.Parse(Path.Combine(_dir, "tend.toml"), "[store]\nkind = \"memory\"\n");

    private async Task<string> ReceiveAsync()
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Bound);
        int n = await _systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>The host's lifetime, whose "started" comes when the test says so (as after the web server's start).</summary>
    private sealed class StartedOnRequest : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Started() => _started.Cancel();

        public void StopApplication()
        {
        }
    }

    /// <summary>A clock that moves only when told; fires due timers synchronously and counts them.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private readonly Lock _gate = new();
        private readonly List<ManualTimer> _timers = [];
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public SemaphoreSlim TimerCreated { get; } = new(0);

        public int Created { get; private set; }

        public int Pending
        {
            get
            {
                lock (_gate)
                {
                    return _timers.Count;
                }
            }
        }

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate)
            {
                return _now;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state);
            lock (_gate)
            {
                timer.Due = _now + dueTime;
                _timers.Add(timer);
                Created++;
            }

            TimerCreated.Release();
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            List<ManualTimer> due;
            lock (_gate)
            {
                _now += by;
                due = _timers.Where(t => t.Due <= _now).ToList();
                _timers.RemoveAll(due.Contains);
            }

            foreach (var t in due)
            {
                t.Fire();
            }
        }

        private void Remove(ManualTimer timer)
        {
            lock (_gate)
            {
                _timers.Remove(timer);
            }
        }

        private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
        {
            public DateTimeOffset Due { get; set; }

            public void Fire() => callback(state);

            public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

            public void Dispose() => clock.Remove(this);

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
