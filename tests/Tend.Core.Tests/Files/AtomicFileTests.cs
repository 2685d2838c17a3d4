using System.Text;
using Tend.Core.Files;
using Xunit;

namespace Tend.Core.Tests.Files;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_NewFile_ContentAndDefaultMode()
    {
        var path = Path.Combine(_dir, "a.conf");
        AtomicFile.Write(path, "hello\n"u8);
        Assert.Equal("hello\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_ExistingFile_KeepsItsModeUnlessAsked()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.Write(path, "new"u8);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        AtomicFile.Write(path, "newer"u8, new FileOwnership(Mode: (UnixFileMode)Convert.ToInt32("640", 8)));
        Assert.Equal((UnixFileMode)Convert.ToInt32("640", 8), File.GetUnixFileMode(path));
    }

    [Fact]
    public void Stage_DisposedWithoutCommit_DestinationUntouchedAndNoLeftovers()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "good");
        using (var staged = AtomicFile.Stage(path, "bad"u8))
        {
            Assert.Equal("bad", File.ReadAllText(staged.Path));
            Assert.Equal(_dir, Path.GetDirectoryName(staged.Path));
        }

        Assert.Equal("good", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Commit_WithBackup_OldContentKept()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "v1");
        using (var staged = AtomicFile.Stage(path, "v2"u8))
        {
            staged.Commit(backupPath: path + ".bak");
        }

        Assert.Equal("v2", File.ReadAllText(path));
        Assert.Equal("v1", File.ReadAllText(path + ".bak"));
    }

    [Fact]
    public void Stage_MissingDirectory_ErrorUnlessCreateRequested()
    {
        var path = Path.Combine(_dir, "sub", "dir", "a.conf");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Stage(path, "x"u8));
        AtomicFile.Write(path, "x"u8, createDirectories: true);
        Assert.Equal("x", File.ReadAllText(path));
    }

    [Fact]
    public void IsUpToDate_ComparesContentAndMode()
    {
        var path = Path.Combine(_dir, "a.conf");
        AtomicFile.Write(path, "same"u8);
        Assert.True(AtomicFile.IsUpToDate(path, "same"u8));
        Assert.False(AtomicFile.IsUpToDate(path, "diff"u8));
        Assert.False(AtomicFile.IsUpToDate(path, "same"u8, new FileOwnership(Mode: UnixFileMode.UserRead)));
        Assert.False(AtomicFile.IsUpToDate(Path.Combine(_dir, "missing"), Encoding.UTF8.GetBytes("same")));
        var (uid, gid) = AtomicFile.Owner(path);
        Assert.True(AtomicFile.IsUpToDate(path, "same"u8, new FileOwnership(Uid: uid, Gid: gid)));
    }
}
