using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Kv;
using Tend.Modules.Register;
using Tend.Modules.Checks;
using Tend.Stores.Memory;
using Xunit;

namespace Tend.Modules.Tests.Register;

public sealed class ServiceRegistrarTests
{
    private static RegisterServiceOptions Service(int rise = 1, int fall = 1) => new()
    {
        Name = "web",
        Command = "true",
        Port = 80,
        Path = "/services/web",
        Hostname = "web1.example.com",
        Rise = rise,
        Fall = fall,
        Data = [new("zone", JsonValue.Create("eu"))],
    };

    [Fact]
    public async Task Check_Passes_RegisteredWithZkWatcherData()
    {
        await using var store = new MemoryKvStore();
        var check = new ScriptedCheck(true);
        await using var r = new ServiceRegistrar(Service(), "web1.example.com", store, check, TimeSpan.FromSeconds(10), NullLogger.Instance);
        await r.CheckOnceAsync();

        var pair = await store.GetAsync("/services/web/web1.example.com:80");
        Assert.NotNull(pair);
        using var doc = JsonDocument.Parse(pair.Value);
        var root = doc.RootElement;
        Assert.Equal(["pid", "created", "host", "port", "zone"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Environment.ProcessId, root.GetProperty("pid").GetInt32());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", root.GetProperty("created").GetString());
        Assert.Equal(80, root.GetProperty("port").GetInt32());
        Assert.Equal("eu", root.GetProperty("zone").GetString());
        Assert.DoesNotContain(' ', pair.Value.Replace(root.GetProperty("created").GetString()!, string.Empty, StringComparison.Ordinal));
        Assert.True(r.Status.Registered);
    }

    [Fact]
    public async Task Check_FailsAfterPassing_RemovedAtOnce()
    {
        await using var store = new MemoryKvStore();
        var check = new ScriptedCheck(true, false);
        await using var r = new ServiceRegistrar(Service(), "web1.example.com", store, check, TimeSpan.FromSeconds(10), NullLogger.Instance);
        await r.CheckOnceAsync();
        Assert.NotNull(await store.GetAsync(r.Key));
        await r.CheckOnceAsync();
        Assert.Null(await store.GetAsync(r.Key));
        Assert.False(r.Status.Healthy);
        Assert.Equal("scripted fail", r.Status.LastCheckOutput);
    }

    [Fact]
    public async Task RiseAndFall_Thresholds_Respected()
    {
        await using var store = new MemoryKvStore();
        var check = new ScriptedCheck(true, true, false, true, false, false);
        await using var r = new ServiceRegistrar(Service(rise: 2, fall: 2), "web1.example.com", store, check, TimeSpan.FromSeconds(10), NullLogger.Instance);
        var seen = new List<bool>();
        for (int i = 0; i < 6; i++)
        {
            await r.CheckOnceAsync();
            seen.Add(await store.GetAsync(r.Key) is not null);
        }

        Assert.Equal([false, true, true, true, true, false], seen);
    }

    [Fact]
    public async Task StoreUnreachable_KeepsCheckingAndRegistersWhenBack()
    {
        await using var inner = new MemoryKvStore();
        var store = new RefusingStore(inner, refusals: 2);
        var check = new ScriptedCheck(true);
        await using var r = new ServiceRegistrar(Service(), "web1.example.com", store, check, TimeSpan.FromSeconds(10), NullLogger.Instance);
        await r.CheckOnceAsync();
        Assert.False(r.Status.Registered);
        Assert.Contains("unreachable", r.Status.LastError, StringComparison.Ordinal);
        await r.CheckOnceAsync();
        await r.CheckOnceAsync();
        Assert.True(r.Status.Registered);
        Assert.Null(r.Status.LastError);
        Assert.NotNull(await inner.GetAsync(r.Key));
    }

    [Fact]
    public async Task RemovedBySessionLoss_RecreatedWhileHealthy()
    {
        await using var store = new MemoryKvStore();
        await using var r = new ServiceRegistrar(Service(), "web1.example.com", store, new ScriptedCheck(true), TimeSpan.FromSeconds(10), NullLogger.Instance);
        await r.CheckOnceAsync();
        store.ExpireRegistrations();
        Assert.NotNull(await store.GetAsync(r.Key));
        await store.DeleteAsync(r.Key);
        Assert.NotNull(await store.GetAsync(r.Key));
    }

    /// <summary>A check that answers from a script and then repeats the last answer.</summary>
    internal sealed class ScriptedCheck(params bool[] answers) : IHealthCheck
    {
        private int _i;

        public Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
        {
            var healthy = answers[Math.Min(_i++, answers.Length - 1)];
            return Task.FromResult(new CheckResult(healthy, healthy ? "scripted pass" : "scripted fail", TimeSpan.Zero));
        }
    }

    /// <summary>Refuses the first registrations as if the store were down.</summary>
    private sealed class RefusingStore(MemoryKvStore inner, int refusals) : IKvStore
    {
        private int _left = refusals;

        public string Name => "refusing";

        public KvStoreCapabilities Capabilities => KvStoreCapabilities.All;

        public Task<KvPair?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public Task<KvSnapshot> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public IAsyncEnumerable<KvChangeBatch> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default) => inner.WatchAsync(prefix, fromRevision, cancellationToken);

        public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) => inner.PutAsync(key, value, cancellationToken);

        public Task<long> DeleteAsync(string key, bool prefix = false, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, prefix, cancellationToken);

        public Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default) => inner.CommitAsync(transaction, cancellationToken);

        public Task<IKvRegistration> RegisterAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _left) >= 0
                ? throw new KvStoreUnavailableException("store unreachable")
                : inner.RegisterAsync(key, value, ttl, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
