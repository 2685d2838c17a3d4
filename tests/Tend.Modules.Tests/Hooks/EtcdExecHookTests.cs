using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Tests.Render;
using Tend.Stores.Etcd;
using Tend.Testing;
using Tend.Testing.Servers;
using Xunit;
using static Tend.Modules.Tests.Hooks.HookTestSupport;

namespace Tend.Modules.Tests.Hooks;

/// <summary>Exec hooks on a real etcd, through a proxy that cuts the watch so the history can be compacted meanwhile.</summary>
public sealed class EtcdExecHookTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _root = "/hooks-it-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Change_CompactedWhileDisconnected_ReportsExactlyTheKeysThatChanged()
    {
        var output = _dir.File("changes.log");
        await using var proxy = new TcpProxy(etcd.Member.ClientPort);
        var options = new KvStoreOptions { Kind = "etcd", RequestTimeout = TimeSpan.FromSeconds(3) };
        await using var watched = new EtcdKvStore(options with { Endpoints = [proxy.Url] });
        await using var direct = new EtcdKvStore(options with { Endpoints = [etcd.ClientUrl] });
        await direct.CommitAsync(new KvTransaction([],
        [
            KvOperation.Put($"{_root}/keep", "same"), KvOperation.Put($"{_root}/gone", "x"), KvOperation.Put($"{_root}/changed", "1"),
        ]));
        await using var mirrors = new KvMirrorSet(watched);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(new HooksOptions
        {
            Exec = [new ExecHookOptions { Id = "log", Prefix = _root, Command = $"echo \"$TEND_ACTION $TEND_KEY $TEND_PREV_VALUE>$TEND_VALUE\" >> {output}" }],
        });
        var mirror = mirrors.Get(_root);
        await mirror.WhenSynced;
        await direct.PutAsync($"{_root}/first", "f");
        await Eventually(() => Lines(output).Count == 1, "a change before the outage");

        // While the watch is cut: delete one key, change one, add one, rewrite one unchanged, compact it all away.
        proxy.Disconnect();
        await direct.DeleteAsync($"{_root}/gone");
        await direct.PutAsync($"{_root}/changed", "2");
        await direct.PutAsync($"{_root}/keep", "same");
        var rev = await direct.PutAsync($"{_root}/new", "n");
        await direct.CompactAsync(rev);
        proxy.Heal();

        await Eventually(() => mirror.Current.Revision >= rev && hooks.Status.Exec[0].Pending == 0 && Lines(output).Count == 4, "the resync is reported");
        Assert.Equal(
            [$"put {_root}/first >f", $"put {_root}/changed 1>2", $"delete {_root}/gone x>", $"put {_root}/new >n"],
            Lines(output));
        Assert.Equal(0, hooks.Status.Exec[0].Failures);
    }

    [Fact]
    public async Task Batch_TransactionOnEtcd_OneRunForTheRevision()
    {
        var output = _dir.File("batch.log");
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [etcd.ClientUrl] });
        await using var mirrors = new KvMirrorSet(store);
        await using var hooks = new HooksModule(mirrors, ShellCommandRunner.Instance);
        await hooks.ApplyAsync(new HooksOptions
        {
            Exec = [new ExecHookOptions { Id = "b", Prefix = _root, Mode = ExecHookMode.Batch, Command = $"echo \"$TEND_COUNT $TEND_REVISION $(wc -l < /dev/stdin)\" >> {output}" }],
        });
        await mirrors.Get(_root).WhenSynced;

        var result = await store.CommitAsync(new KvTransaction([], [.. Enumerable.Range(0, 100).Select(i => KvOperation.Put($"{_root}/h{i:D3}", "created"))]));

        await Eventually(() => Lines(output).Count == 1, "the batch runs");
        Assert.Equal([$"100 {result.Revision} 1"], Lines(output));
    }

    private static List<string> Lines(string path) => File.Exists(path) ? [.. File.ReadAllLines(path)] : [];
}
