using Tend.Core.Kv;
using Xunit;

namespace Tend.Core.Tests.Kv;

public sealed class KvSnapshotTests
{
    private static KvSnapshot Sample() => KvSnapshot.Create("/", 7,
    [
        new("/app/b", "2"), new("/app", "root"), new("/app-x", "sibling"), new("/app/a", "1"), new("/apple", "no"), new("/app/a/deep", "3"),
    ]);

    [Fact]
    public void Create_UnsortedInput_SortedOrdinally()
    {
        var s = Sample();
        Assert.Equal(["/app", "/app-x", "/app/a", "/app/a/deep", "/app/b", "/apple"], s.Select(p => p.Key));
        Assert.Equal(7, s.Revision);
    }

    [Fact]
    public void Create_RepeatedKey_LastWins()
    {
        var s = KvSnapshot.Create("/", 1, [new("/k", "1"), new("/k", "2")]);
        Assert.Equal("2", Assert.Single(s).Value);
    }

    [Fact]
    public void Create_KeyOutsidePrefix_Rejected() =>
        Assert.Throws<ArgumentException>(() => KvSnapshot.Create("/a", 1, [new("/b", "x")]));

    [Fact]
    public void Under_PrefixWithStringSiblings_OnlyPathChildren()
    {
        var s = Sample();
        Assert.Equal(["/app", "/app/a", "/app/a/deep", "/app/b"], s.Under("/app").Select(p => p.Key));
        Assert.Equal(["/app/a", "/app/a/deep"], s.Under("/app/a").Select(p => p.Key));
        Assert.Empty(s.Under("/nothing"));
        Assert.Equal(6, s.Under("/").Count);
    }

    [Fact]
    public void Get_PresentAndMissing()
    {
        var s = Sample();
        Assert.Equal("1", s.Get("/app/a")!.Value);
        Assert.Null(s.Get("/app/c"));
        Assert.True(s.TryGetValue("/apple", out var v));
        Assert.Equal("no", v);
    }

    [Fact]
    public void Apply_PutsAndDeletes_NewSnapshotOldUntouched()
    {
        var s = Sample();
        var next = s.Apply(
            [KvChange.Put("/app/c", "new", 8), KvChange.Delete("/app/a", 8), KvChange.Put("/app/b", "changed", 8), KvChange.Put("/app/a", "back", 9), KvChange.Delete("/ghost", 9)],
            9);
        Assert.Equal(9, next.Revision);
        Assert.Equal([("/app", "root"), ("/app-x", "sibling"), ("/app/a", "back"), ("/app/a/deep", "3"), ("/app/b", "changed"), ("/app/c", "new"), ("/apple", "no")], next.Select(p => (p.Key, p.Value)));
        Assert.Equal("1", s.Get("/app/a")!.Value);
    }

    [Fact]
    public void DiffKeys_ValueAndPresenceChanges()
    {
        var a = KvSnapshot.Create("/", 1, [new("/a", "1"), new("/b", "2"), new("/c", "3")]);
        var b = KvSnapshot.Create("/", 2, [new("/a", "1"), new("/b", "x"), new("/d", "4")]);
        Assert.Equal(["/b", "/c", "/d"], a.DiffKeys(b));
        Assert.True(a.ContentEquals(KvSnapshot.Create("/", 99, [new("/c", "3"), new("/b", "2"), new("/a", "1")])));
    }
}
