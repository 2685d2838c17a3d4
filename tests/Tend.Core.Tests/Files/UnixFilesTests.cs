using Tend.Core.Files;
using Xunit;

namespace Tend.Core.Tests.Files;

public sealed class UnixFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-unixfiles-").FullName;

    [Fact]
    public void Chown_OwnIds_KeepsTheFileAndItsOwner()
    {
        var path = Path.Combine(_dir, "f");
        File.WriteAllText(path, "x");
        int uid = NativeMethods.EffectiveUid, gid = NativeMethods.EffectiveGid;

        UnixFiles.Chown(path, uid, gid);

        var st = NativeMethods.Stat(path);
        Assert.NotNull(st);
        Assert.Equal(uid, st.Value.Uid);
        Assert.Equal(gid, st.Value.Gid);
    }

    [Fact]
    public void Chown_MissingPath_ThrowsNamingThePathAndErrno()
    {
        var path = Path.Combine(_dir, "missing");

        var ex = Assert.Throws<IOException>(() => UnixFiles.Chown(path, -1, -1));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
