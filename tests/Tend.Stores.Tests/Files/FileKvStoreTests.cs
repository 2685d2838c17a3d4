using System.Diagnostics;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Stores.Files;
using Tend.Testing;
using Xunit;

namespace Tend.Stores.Tests.Files;

public sealed class FileKvStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task List_NestedYaml_FlattensMapsAndLists()
    {
        var path = Write("data.yaml", """
            hosts:
              web:
                - name: web1
                  port: 0080
                - name: web2
                  port: 81
            enabled: true
            empty:
            "/flat/key": v
            """);
        await using var store = Open(path);

        var all = await store.ListAsync("/");
        Assert.Equal(
            [
                ("/empty", ""), ("/enabled", "true"), ("/flat/key", "v"),
                ("/hosts/web/0/name", "web1"), ("/hosts/web/0/port", "0080"),
                ("/hosts/web/1/name", "web2"), ("/hosts/web/1/port", "81"),
            ],
            all.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task List_SeveralFiles_MergedLaterWins()
    {
        var a = Write("a.yaml", "x: 1\ny: 2\n");
        var b = Write("b.json", """{"y": "override", "z": {"n": 3.50, "ok": false, "nil": null}}""");
        await using var store = new FileKvStore(new KvStoreOptions { Files = [a, b] });

        var all = await store.ListAsync("/");
        Assert.Equal([("/x", "1"), ("/y", "override"), ("/z/n", "3.50"), ("/z/nil", ""), ("/z/ok", "false")], all.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task List_Directory_EveryDataFileBelowMergedInWalkOrder()
    {
        // Walk order visits a/ (its name sorts first) before a-c.yml and a.yaml, so a.yaml wins /k — as with confd 0.16.
        Directory.CreateDirectory(Path.Combine(_dir, "data", "a"));
        Write("data/a/b.yaml", "k: ab\n");
        Write("data/a-c.yml", "k: ac\nw: 1\n");
        Write("data/a.yaml", "x: 1\nk: a\n");
        Write("data/z.json", "{\"z\": 1}");
        Write("data/notes.txt", "not: [data\n");
        await using var store = Open(Path.Combine(_dir, "data"));

        var all = await store.ListAsync("/");
        Assert.Equal([("/k", "a"), ("/w", "1"), ("/x", "1"), ("/z", "1")], all.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task Watch_FileAddedToDataDirectory_SeenThroughFileSystemEvents()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        Directory.CreateDirectory(Path.Combine(data, "sub"));
        Write("data/a.yaml", "a: 1\n");

        // The safety-net poll is an hour away, so only the file-system event can deliver the change.
        await using var store = new FileKvStore(new KvStoreOptions { Kind = "file", Files = [data] }, TimeSpan.FromHours(1));
        await using var mirror = new KvMirror(store, "/");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        Write("data/sub/b.yaml", "b: 2\n");
        await WaitUntil(() => mirror.Current.Get("/b")?.Value == "2");
        File.Delete(Path.Combine(data, "a.yaml"));
        await WaitUntil(() => mirror.Current.Get("/a") is null);
    }

    [Fact]
    public async Task List_MalformedYaml_ErrorNamesFileLineAndColumn()
    {
        var path = Write("bad.yaml", "a: 1\nb: [unclosed\nc: 3\n");
        await using var store = Open(path);
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        Assert.StartsWith(path + ":", ex.Message, StringComparison.Ordinal);
        Assert.Matches(@":\d+:\d+: invalid YAML", ex.Message);
    }

    [Fact]
    public async Task List_MalformedJson_ErrorNamesFileAndLine()
    {
        var path = Write("bad.json", "{\n  \"a\": 1,\n  \"b\": }\n");
        await using var store = Open(path);
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        Assert.StartsWith(path + ":3:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_WriteToTempThenRename_SeenThroughFileSystemEvents()
    {
        var path = Write("data.yaml", "service:\n  port: 80\n");

        // The safety-net poll is an hour away, so only the file-system event can deliver the change.
        await using var store = new FileKvStore(new KvStoreOptions { Kind = "file", Files = [path] }, TimeSpan.FromHours(1));
        await using var mirror = new KvMirror(store, "/service");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        var seen = new TaskCompletionSource<KvMirrorUpdate>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = mirror.Subscribe(u => seen.TrySetResult(u));

        // What vim/an atomic deploy does: write a temp file beside it, then rename over the original.
        var tmp = Path.Combine(_dir, ".data.yaml.swp");
        await File.WriteAllTextAsync(tmp, "service:\n  port: 8080\n");
        File.Move(tmp, path, overwrite: true);

        var update = await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["/service/port"], update.ChangedKeys);
        Assert.Equal("8080", mirror.Current.Get("/service/port")!.Value);
    }

    [Fact]
    public async Task Watch_InPlaceSaveThroughEmptyFile_NeverDeliversTheEmptyMoment()
    {
        var path = Write("data.yaml", "hosts:\n  web1: 10.0.0.1\n");

        // A settle time far longer than the gap below, so only the rule can keep the empty moment out.
        await using var store = new FileKvStore(new KvStoreOptions { Kind = "file", Files = [path] }, TimeSpan.FromHours(1), settle: TimeSpan.FromSeconds(30));
        await using var mirror = new KvMirror(store, "/");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        var seen = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var _ = mirror.Subscribe(u => seen.Enqueue(mirror.Current.Count));

        // What `cat new > data.yaml` or a slow writer does: truncate, pause, write.
        await using (var f = new FileStream(path, FileMode.Truncate, FileAccess.Write))
        {
            await f.FlushAsync();
            await Task.Delay(300);
            await f.WriteAsync("hosts:\n  web1: 10.0.0.1\n  web2: 10.0.0.2\n"u8.ToArray());
        }

        await WaitUntil(() => mirror.Current.Get("/hosts/web2")?.Value == "10.0.0.2");
        Assert.DoesNotContain(0, seen);
        Assert.Equal("10.0.0.1", mirror.Current.Get("/hosts/web1")?.Value);
    }

    [Fact]
    public async Task Watch_FileLeftEmpty_KeysRemovedAfterSettling()
    {
        var path = Write("data.yaml", "a: 1\n");
        await using var store = new FileKvStore(new KvStoreOptions { Kind = "file", Files = [path] }, TimeSpan.FromHours(1), settle: TimeSpan.FromMilliseconds(200));
        await using var mirror = new KvMirror(store, "/");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));

        await File.WriteAllTextAsync(path, string.Empty);

        // An empty file that stays empty is real data: every key of it goes.
        await WaitUntil(() => mirror.Current.Get("/a") is null);
    }

    [Fact]
    public async Task Watch_InPlaceEdit_Seen()
    {
        var path = Write("data.yaml", "a: 1\n");
        await using var store = Open(path);
        await using var mirror = new KvMirror(store, "/");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        await File.WriteAllTextAsync(path, "a: 2\n");
        await WaitUntil(() => mirror.Current.Get("/a")?.Value == "2");
    }

    [Fact]
    public async Task Watch_SymlinkSwap_Seen()
    {
        // The Kubernetes ConfigMap layout: data.yaml -> ..data/data.yaml, ..data -> a versioned directory, swapped atomically.
        var v1 = Directory.CreateDirectory(Path.Combine(_dir, "v1")).FullName;
        var v2 = Directory.CreateDirectory(Path.Combine(_dir, "v2")).FullName;
        File.WriteAllText(Path.Combine(v1, "data.yaml"), "role: primary\n");
        File.WriteAllText(Path.Combine(v2, "data.yaml"), "role: standby\n");
        var dataLink = Path.Combine(_dir, "..data");
        File.CreateSymbolicLink(dataLink, "v1");
        var path = Path.Combine(_dir, "data.yaml");
        File.CreateSymbolicLink(path, Path.Combine("..data", "data.yaml"));

        await using var store = Open(path);
        await using var mirror = new KvMirror(store, "/");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("primary", mirror.Current.Get("/role")!.Value);

        var tmpLink = Path.Combine(_dir, "..data_tmp");
        File.CreateSymbolicLink(tmpLink, "v2");
        // rename(2) over the old link, as kubelet does; File.Move would follow the link.
        using (var mv = Process.Start("mv", ["-Tf", tmpLink, dataLink]))
        {
            await mv.WaitForExitAsync();
            Assert.Equal(0, mv.ExitCode);
        }

        await WaitUntil(() => mirror.Current.Get("/role")?.Value == "standby");
    }

    [Fact]
    public async Task Watch_FileBecomesInvalid_LastGoodDataKeptThenRecovers()
    {
        var path = Write("data.yaml", "a: 1\n");
        await using var store = Open(path);
        await using var mirror = new KvMirror(store, "/");
        mirror.Start();
        await mirror.WhenSynced.WaitAsync(TimeSpan.FromSeconds(10));

        // Replaced whole (temp file + rename), so the store never reads the truncated file an
        // in-place write passes through when the writer is preempted on a loaded machine.
        ReplaceWhole(path, "a: [broken\n");
        await WaitUntil(() => store.LastError is not null);
        Assert.Contains("data.yaml:", store.LastError, StringComparison.Ordinal);
        Assert.Equal("1", mirror.Current.Get("/a")!.Value);

        ReplaceWhole(path, "a: 3\n");
        await WaitUntil(() => mirror.Current.Get("/a")?.Value == "3");
        Assert.Null(store.LastError);
    }

    [Fact]
    public async Task Writes_ReadOnlyStore_RefusedWithClearError()
    {
        var path = Write("data.yaml", "a: 1\n");
        await using var store = Open(path);
        var put = await Assert.ThrowsAsync<KvNotSupportedException>(() => store.PutAsync("/a", "2"));
        Assert.Contains("read-only", put.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KvNotSupportedException>(() => store.DeleteAsync("/a"));
        await Assert.ThrowsAsync<KvNotSupportedException>(() => store.RegisterAsync("/a", "x", TimeSpan.FromSeconds(1)));
        Assert.Equal("1", (await store.GetAsync("/a"))!.Value);
    }

    private static void ReplaceWhole(string path, string text)
    {
        var temp = path + ".new";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private FileKvStore Open(string path) => new(new KvStoreOptions { Kind = "file", Files = [path] });

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task WaitUntil(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(20));
}
