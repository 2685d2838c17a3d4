using Tend.Core.Mirror;
using Tend.Modules.Health;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Health;

/// <summary>The health module leases the mirrors of its environment's roles, health and triggers: another environment after a reload lets the old ones go.</summary>
public sealed class HealthMirrorReleaseTests
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task ApplyAsync_EnvironmentChanged_TheOldEnvironmentsMirrorsStop()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store) { Linger = Linger };
        await using var module = new HealthModule(store, mirrors);
        await module.ApplyAsync(Options("staging"));
        var staging = mirrors.Mirrors.ToList();
        Assert.Equal(["/cluster/staging", "/health/staging", "/triggers/staging"], Prefixes(mirrors));

        await module.ApplyAsync(Options("prod"));

        await Poll.UntilAsync(() => staging.All(m => m.State == KvMirrorState.Stopped), TimeSpan.FromSeconds(15), "the staging mirrors stop");
        Assert.Equal(["/cluster/prod", "/health/prod", "/triggers/prod"], Prefixes(mirrors));
    }

    [Fact]
    public async Task ApplyAsync_SameEnvironment_TheMirrorsAreKept()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store) { Linger = Linger };
        await using var module = new HealthModule(store, mirrors);
        await module.ApplyAsync(Options("prod"));
        var before = mirrors.Mirrors.OrderBy(m => m.Prefix, StringComparer.Ordinal).ToList();

        await module.ApplyAsync(Options("prod") with { Ttl = TimeSpan.FromSeconds(7) });
        await Task.Delay(Linger * 4);

        Assert.Equal(before, mirrors.Mirrors.OrderBy(m => m.Prefix, StringComparer.Ordinal));
        Assert.All(before, m => Assert.NotEqual(KvMirrorState.Stopped, m.State));
    }

    [Fact]
    public async Task DisposeAsync_Running_ItsMirrorsStop()
    {
        await using var store = new MemoryKvStore();
        await using var mirrors = new KvMirrorSet(store) { Linger = Linger };
        var module = new HealthModule(store, mirrors);
        await module.ApplyAsync(Options("prod"));

        await module.DisposeAsync();

        await Poll.UntilAsync(() => mirrors.Mirrors.Count == 0, TimeSpan.FromSeconds(15), "no mirror is left");
    }

    private static HealthOptions Options(string environment) => new()
    {
        Environment = environment,
        Role = "web",
        Hostname = "node1",
        Checks = [new HealthCheckOptions { Service = "web", Kind = HealthCheckKind.Command, Command = "true", Interval = TimeSpan.FromHours(1) }],
    };

    private static List<string> Prefixes(KvMirrorSet mirrors) => [.. mirrors.Mirrors.Select(m => m.Prefix).Order(StringComparer.Ordinal)];
}
