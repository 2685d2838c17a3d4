using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Modules.Health;
using Xunit;

namespace Tend.Modules.Tests.Health;

public sealed class TriggerSchedulerTests
{
    private static readonly HealthIdentity Node = new("prod", "web", "node1", null);

    [Fact]
    public async Task Fire_NoKey_NothingRuns()
    {
        var runner = new GatedRunner();
        await using var scheduler = Create(runner, new Data(), TimeSpan.Zero, new Clock());
        await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "warning");
        await scheduler.FireAsync(Node, "web", ClusterRole.Secondary, "critical");
        Assert.Empty(scheduler.Status);
        Assert.Equal(0, runner.Started);
    }

    [Fact]
    public async Task Fire_WithinFlapInterval_SuppressedThenRunsAfterIt()
    {
        var runner = new GatedRunner { Open = true };
        var clock = new Clock();
        await using var scheduler = Create(runner, new Data(), TimeSpan.FromSeconds(30), clock);
        await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "critical");
        await runner.WaitForStarts(1);
        clock.Now += TimeSpan.FromSeconds(10);
        await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "critical");
        clock.Now += TimeSpan.FromSeconds(25);
        await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "critical");
        await runner.WaitForStarts(2);

        var status = Assert.Single(scheduler.Status);
        Assert.Equal((2L, 1L), (status.Runs, status.Suppressed));
    }

    [Fact]
    public async Task Fire_WhileRunning_OneRunAtATimeAndFiringsCoalesce()
    {
        var runner = new GatedRunner();
        await using var scheduler = Create(runner, new Data(), TimeSpan.Zero, new Clock());
        await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "critical");
        await runner.WaitForStarts(1);
        for (int i = 0; i < 5; i++)
        {
            await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "critical");
        }

        Assert.Equal(1, runner.Started);
        Assert.Equal(1, runner.MaxConcurrent);
        runner.Open = true;
        runner.Release();
        await runner.WaitForStarts(2);
        await Task.Delay(200);
        Assert.Equal(2, runner.Started);
        Assert.Equal(1, runner.MaxConcurrent);
    }

    [Fact]
    public async Task Fire_FailingTrigger_CountedWithItsError()
    {
        var runner = new GatedRunner { Open = true, ExitCode = 4 };
        await using var scheduler = Create(runner, new Data(), TimeSpan.Zero, new Clock());
        await scheduler.FireAsync(Node, "web", ClusterRole.Primary, "critical");
        await runner.WaitForStarts(1);
        for (int i = 0; i < 100 && scheduler.Status[0].Running; i++)
        {
            await Task.Delay(20);
        }

        var status = Assert.Single(scheduler.Status);
        Assert.Equal((1L, 4), (status.Failures, status.LastExitCode));
        Assert.Contains("exit 4", status.LastError, StringComparison.Ordinal);
    }

    private static TriggerScheduler Create(ICommandRunner runner, Data data, TimeSpan flap, TimeProvider clock) =>
        new(data, new TriggerExecutor(runner, TimeSpan.FromSeconds(5)), flap, NullLogger.Instance, clock);

    private sealed class Data : IHealthData
    {
        public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult(key == "/triggers/prod/web/primary/critical" ? "restart-web" : null);

        public Task<IReadOnlyList<KvPair>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<KvPair>>([]);
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class GatedRunner : ICommandRunner
    {
        private readonly SemaphoreSlim _gate = new(0);
        private int _running;
        private int _started;

        public volatile bool Open;

        public int ExitCode { get; init; }

        public int Started => Volatile.Read(ref _started);

        public int MaxConcurrent { get; private set; }

        public void Release() => _gate.Release();

        public async Task WaitForStarts(int n)
        {
            for (int i = 0; i < 250 && Started < n; i++)
            {
                await Task.Delay(20);
            }

            Assert.True(Started >= n, $"{Started} runs started, expected {n}");
        }

        public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
        {
            int now = Interlocked.Increment(ref _running);
            MaxConcurrent = Math.Max(MaxConcurrent, now);
            Interlocked.Increment(ref _started);
            if (!Open)
            {
                await _gate.WaitAsync(cancellationToken);
            }

            Interlocked.Decrement(ref _running);
            return new CommandResult(ExitCode, string.Empty, string.Empty, false, TimeSpan.Zero);
        }
    }
}
