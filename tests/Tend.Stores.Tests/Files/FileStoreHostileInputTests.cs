using System.Diagnostics;
using System.Text;
using Tend.Core.Kv;
using Tend.Stores.Files;
using Xunit;

namespace Tend.Stores.Tests.Files;

/// <summary>
/// The file-store part of the hostile sweep: data files built to exhaust the agent (an alias bomb,
/// a huge or endless file, deep nesting, too many keys) and keys that are not clean paths. Each is
/// reported, bounded, and never costs the last good data.
/// </summary>
public sealed class FileStoreHostileInputTests : IDisposable
{
    // Nine levels of nine aliases: 9^9 (387 million) keys from about 300 bytes.
    private const string AliasBomb = """
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
        h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
        i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("tend-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task List_AliasBomb_RefusedAfterBoundedWork()
    {
        var path = Write("bomb.yaml", AliasBomb);
        Assert.InRange(Encoding.UTF8.GetByteCount(AliasBomb), 250, 400);
        await using var store = Open(path);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(path + ":", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_alias_expansion", ex.Message, StringComparison.Ordinal);

        // Bounded by the default limit (250,000 copied keys), nowhere near the 387 million the file asks for.
        Assert.InRange(allocated, 0, 256L << 20);
    }

    [Fact]
    public async Task Reload_FileReplacedByAliasBomb_ReportedAndLastGoodDataKept()
    {
        var path = Write("data.yaml", "service:\n  port: 80\n");
        await using var store = Open(path);
        Assert.Equal("80", (await store.GetAsync("/service/port"))!.Value);

        File.WriteAllText(path, AliasBomb);

        Assert.False(await store.ReloadAsync());
        Assert.Contains("max_alias_expansion", store.LastError, StringComparison.Ordinal);
        Assert.Equal("80", (await store.GetAsync("/service/port"))!.Value);
    }

    [Fact]
    public async Task List_OneGigabyteFile_RefusedWithoutReadingIt()
    {
        var path = Path.Combine(_dir, "huge.yaml");
        using (var fs = File.Create(path))
        {
            fs.SetLength(1L << 30); // sparse: costs no disk
        }

        await using var store = Open(path);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("1,073,741,824 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_file_size", ex.Message, StringComparison.Ordinal);
        Assert.InRange(allocated, 0, 1L << 20);
    }

    [Fact]
    public async Task Reload_FileGrowsPastTheSizeLimit_ReportedAndLastGoodDataKept()
    {
        var path = Write("data.yaml", "a: 1\n");
        await using var store = new FileKvStore(new KvStoreOptions { Files = [path], MaxFileSize = 1000 });
        Assert.Equal("1", (await store.GetAsync("/a"))!.Value);

        File.WriteAllText(path, "a: 2\n" + new string('#', 2000) + "\n");

        Assert.False(await store.ReloadAsync());
        Assert.Contains("larger than max_file_size (1,000 bytes", store.LastError, StringComparison.Ordinal);
        Assert.Equal("1", (await store.GetAsync("/a"))!.Value);
    }

    [Fact]
    public async Task List_DataFileIsADevice_RefusedNotReadForever()
    {
        // /dev/zero has no end; without a bound the read fills memory.
        await using var store = new FileKvStore(new KvStoreOptions { Files = ["/dev/zero"] });
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        Assert.Contains("not a regular file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_DataFileIsANamedPipe_RefusedWithoutBlocking()
    {
        var path = Path.Combine(_dir, "pipe.yaml");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        await using var store = Open(path);

        // An open of a pipe without a writer blocks: run it aside so a regression fails instead of hanging.
        var list = Task.Run(() => store.ListAsync("/"));
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => list.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("not a regular file", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain.yaml", "k0: v\nk1: v\nk2: v\nk3: v\nk4: v\nk5: v\n")]
    [InlineData("quoted.yaml", "k0: 'v'\nk1: 'v'\nk2: 'v'\nk3: 'v'\nk4: 'v'\nk5: 'v'\n")]
    [InlineData("data.json", """{"k0": 1, "k1": 1, "k2": 1, "k3": 1, "k4": 1, "k5": 1}""")]
    public async Task List_MoreKeysThanMaxKeys_RefusedNamingTheSetting(string name, string text)
    {
        var path = Write(name, text);
        await using var store = new FileKvStore(new KvStoreOptions { Files = [path], MaxKeys = 5 });
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than 5 keys (max_keys in [store])", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_MaxKeysCountsAllFilesTogether()
    {
        var a = Write("a.yaml", "a0: 1\na1: 1\na2: 1\n");
        var b = Write("b.yaml", "b0: 1\nb1: 1\nb2: 1\n");
        await using (var fits = new FileKvStore(new KvStoreOptions { Files = [a, b], MaxKeys = 6 }))
        {
            Assert.Equal(6, (await fits.ListAsync("/")).Count);
        }

        await using var over = new FileKvStore(new KvStoreOptions { Files = [a, b], MaxKeys = 5 });
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => over.ListAsync("/"));
        Assert.StartsWith(b, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deep.yaml")]
    [InlineData("deep.json")]
    public async Task List_NestedTenThousandLevels_RefusedNotAStackOverflow(string name)
    {
        var path = Write(name, "{\"a\": " + new string('[', 10_000) + new string(']', 10_000) + "}");
        await using var store = Open(path);
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        Assert.Contains("128", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_BlockMapsNestedPastTheLimit_Refused()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            text.Append(' ', i).Append('k').Append(i).Append(":\n");
        }

        var path = Write("deep-block.yaml", text.Append(' ', 200).Append("leaf: 1\n").ToString());
        await using var store = Open(path);
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => store.ListAsync("/"));
        Assert.Contains("nested deeper than 128 levels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AliasesWithinTheLimit_StillExpanded()
    {
        var path = Write("defaults.yaml", """
            defaults: &d {port: 80, proto: tcp}
            web1: *d
            web2: *d
            """);
        await using var store = new FileKvStore(new KvStoreOptions { Files = [path], MaxAliasExpansion = 4 });
        Assert.Equal(6, (await store.ListAsync("/")).Count);

        await using var tight = new FileKvStore(new KvStoreOptions { Files = [path], MaxAliasExpansion = 3 });
        var ex = await Assert.ThrowsAsync<FileStoreFormatException>(() => tight.ListAsync("/"));
        Assert.StartsWith(path + ":3:7:", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys.yaml", """
        ok: 1
        "a//b": 2
        "../up": 3
        "c/": 4
        nested:
          "x/./y": 5
          fine: 6
        """)]
    [InlineData("keys.json", """{"ok": 1, "a//b": 2, "../up": 3, "c/": 4, "nested": {"x/./y": 5, "fine": 6}}""")]
    public async Task List_KeysThatAreNotCleanPaths_SkippedAndReported(string name, string text)
    {
        var path = Write(name, text);
        await using var store = Open(path);

        var all = await store.ListAsync("/");

        // Before, "a//b" quietly became /a/b and "../up" refused the whole file.
        Assert.Equal(["/nested/fine", "/ok"], all.Select(p => p.Key));
        Assert.Equal(4, store.SkippedKeys.Count);
        Assert.Equal("/nested/x/./y", store.SkippedKeys.LastKey);
    }

    [Fact]
    public async Task List_AnchorUnderASkippedKey_StillUsableByAliases()
    {
        var path = Write("anchors.yaml", """
            "bad//key": &d {p: 1}
            good: *d
            """);
        await using var store = Open(path);

        var all = await store.ListAsync("/");

        Assert.Equal([("/good/p", "1")], all.Select(p => (p.Key, p.Value)));
        Assert.Equal(1, store.SkippedKeys.Count);
    }

    private FileKvStore Open(string path) => new(new KvStoreOptions { Kind = "file", Files = [path] });

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
