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
    public void Write_Durable_FsyncsTheFileAndItsDirectory()
    {
        var path = Path.Combine(_dir, "a.conf");
        int before = NativeMethods.SyncsOnThisThread;

        AtomicFile.Write(path, "v1\n"u8);

        Assert.Equal(2, NativeMethods.SyncsOnThisThread - before);
        Assert.Equal("v1\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_NotDurable_NoFsyncButStillAtomicAndClean()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");
        int before = NativeMethods.SyncsOnThisThread;

        using (var staged = AtomicFile.Stage(path, "new\n"u8, durability: FileDurability.None))
        {
            Assert.False(staged.Durable);
            Assert.Equal("old", File.ReadAllText(path));
            staged.Commit();
        }

        Assert.Equal(0, NativeMethods.SyncsOnThisThread - before);
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Install_NotDurable_KeptCopyRollBackAndBackupMakeNoFsync()
    {
        var path = Path.Combine(_dir, "a.conf");
        var backup = Path.Combine(_dir, "a.conf.bak");
        File.WriteAllText(path, "old");
        int before = NativeMethods.SyncsOnThisThread;

        using (var staged = AtomicFile.Stage(path, "bad\n"u8, durability: FileDurability.None))
        {
            using var installed = staged.Install();
            Assert.Equal("bad\n", File.ReadAllText(path));
            installed.RollBack();
        }

        Assert.Equal("old", File.ReadAllText(path));
        using (var staged = AtomicFile.Stage(path, "good\n"u8, durability: FileDurability.None))
        {
            using var installed = staged.Install();
            installed.Confirm(backup);
        }

        Assert.Equal(0, NativeMethods.SyncsOnThisThread - before);
        Assert.Equal(("good\n", "old"), (File.ReadAllText(path), File.ReadAllText(backup)));
        Assert.Equal([path, backup], Directory.GetFiles(_dir).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Install_Durable_KeptCopyAndRollBackAreFsynced()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");
        using var staged = AtomicFile.Stage(path, "bad\n"u8);
        int before = NativeMethods.SyncsOnThisThread;

        using (var installed = staged.Install())
        {
            installed.RollBack();
        }

        // The kept copy, then the directory after the rename back.
        Assert.Equal(2, NativeMethods.SyncsOnThisThread - before);
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Stage_Ordered_DataWrittenBeforeTheRenameFsyncsOnlyAfterIt()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");
        int syncs = NativeMethods.SyncsOnThisThread, writes = NativeMethods.DataWritesOnThisThread;

        using (var staged = AtomicFile.StageWith(OrderedHolds.Instance, path, "new\n"u8, null, false, FileDurability.Ordered))
        {
            // Before the rename: the data written and waited for, no fsync (no journal commit to wait for).
            Assert.Equal(FileDurability.Ordered, staged.Durability);
            Assert.Equal((1, 0), (NativeMethods.DataWritesOnThisThread - writes, NativeMethods.SyncsOnThisThread - syncs));
            Assert.Equal("old", File.ReadAllText(path));

            staged.Commit();
        }

        // After it: the file, then its directory.
        Assert.Equal((1, 2), (NativeMethods.DataWritesOnThisThread - writes, NativeMethods.SyncsOnThisThread - syncs));
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Commit_OrderedWithFlusher_FileAndDirectoryFsyncedOffTheWritersThread()
    {
        var path = Path.Combine(_dir, "a.conf");
        var flusher = new DirectoryFlusher();
        int syncs = NativeMethods.SyncsOnThisThread;

        using (var staged = AtomicFile.StageWith(OrderedHolds.Instance, path, "v1"u8, null, false, FileDurability.Ordered))
        {
            staged.Commit(flusher: flusher);
        }

        Assert.Equal(0, NativeMethods.SyncsOnThisThread - syncs);
        Assert.Equal("v1", File.ReadAllText(path));
        await flusher.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((1, 1), (flusher.Scheduled, flusher.FilesSynced));
    }

    [Fact]
    public void Stage_Full_FsyncBeforeTheRenameAndNoDataOnlyWrite()
    {
        var path = Path.Combine(_dir, "a.conf");
        int syncs = NativeMethods.SyncsOnThisThread, writes = NativeMethods.DataWritesOnThisThread;

        using var staged = AtomicFile.Stage(path, "v"u8, null, false, FileDurability.Full);

        Assert.Equal((0, 1), (NativeMethods.DataWritesOnThisThread - writes, NativeMethods.SyncsOnThisThread - syncs));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Install_Ordered_FullFsyncBeforeTheFileIsPutInPlace()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");
        using var staged = AtomicFile.StageWith(OrderedHolds.Instance, path, "new"u8, null, false, FileDurability.Ordered);
        int syncs = NativeMethods.SyncsOnThisThread;

        using (var installed = staged.Install())
        {
            // The staged file (now complete on disk) and the kept copy of the old one, before either is renamed.
            Assert.Equal(2, NativeMethods.SyncsOnThisThread - syncs);
            Assert.Equal(FileDurability.Full, staged.Durability);
            installed.Confirm(null);
        }

        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void Commit_NotDurableWithFlusher_NothingScheduled()
    {
        var path = Path.Combine(_dir, "a.conf");
        var flusher = new DirectoryFlusher();
        using (var staged = AtomicFile.Stage(path, "x"u8, durability: FileDurability.None))
        {
            staged.Commit(flusher: flusher);
        }

        Assert.Equal(0, flusher.Scheduled);
        Assert.Equal("x", File.ReadAllText(path));

        using (var staged = AtomicFile.Stage(path, "y"u8))
        {
            staged.Commit(flusher: flusher);
        }

        Assert.Equal(1, flusher.Scheduled);
    }

    [Fact]
    public void Commit_ReplacingAFile_OldContentReadableAfterTheRenameThroughTheHeldHandle()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old\n");
        string? seenAtPath = null, seenThroughHandle = null;

        using (var staged = AtomicFile.Stage(path, "new\n"u8))
        {
            Assert.True(staged.ReplacesFile);
            staged.Commit(null, null, replaced =>
            {
                seenAtPath = File.ReadAllText(path);
                var buffer = new byte[16];
                seenThroughHandle = Encoding.UTF8.GetString(buffer, 0, RandomAccess.Read(replaced!, buffer, 0));
            });
        }

        // The rename had happened when the handle was handed over, and it still named the replaced file.
        Assert.Equal(("new\n", "old\n"), (seenAtPath, seenThroughHandle));
        Assert.Empty(DeletedFilesHeldOpen());
    }

    [Fact]
    public void Commit_NothingOrASymlinkReplaced_NoHandleAndTheLinkTargetUntouched()
    {
        var path = Path.Combine(_dir, "a.conf");
        var calls = new List<bool>();
        using (var staged = AtomicFile.Stage(path, "v1"u8))
        {
            Assert.False(staged.ReplacesFile);
            staged.Commit(null, null, replaced => calls.Add(replaced is null));
        }

        var target = Path.Combine(_dir, "target");
        File.WriteAllText(target, "target");
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
        using (var staged = AtomicFile.Stage(path, "v2"u8))
        {
            Assert.False(staged.ReplacesFile);
            staged.Commit(null, null, replaced => calls.Add(replaced is null));
        }

        Assert.Equal([true, true], calls);
        Assert.Equal(("v2", "target"), (File.ReadAllText(path), File.ReadAllText(target)));
        Assert.Null(new FileInfo(path).LinkTarget);
    }

    [Theory]
    [InlineData(FileDurability.Full)]
    [InlineData(FileDurability.Ordered)]
    [InlineData(FileDurability.None)]
    public async Task Commit_WithFlusher_ReplacedFileClosedOffTheWritersPath(FileDurability durability)
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");
        var flusher = new DirectoryFlusher();

        for (int i = 0; i < 3; i++)
        {
            using var staged = AtomicFile.Stage(path, Encoding.UTF8.GetBytes("v" + i), durability: durability);
            staged.Commit(flusher: flusher);
        }

        await flusher.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));

        // None has no fsync to wait for: its replaced files are closed by a queued work item.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DeletedFilesHeldOpen().Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Empty(DeletedFilesHeldOpen());
        Assert.Equal("v2", File.ReadAllText(path));
    }

    /// <summary>This process's open handles on files of the test directory that no longer have a name.</summary>
    private List<string> DeletedFilesHeldOpen()
    {
        var held = new List<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(_dir + "/", StringComparison.Ordinal) && target.EndsWith(" (deleted)", StringComparison.Ordinal))
                {
                    held.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed while listing.
            }
        }

        return held;
    }

    [Fact]
    public void Stage_FlushLaterNeverStarted_TheCommitFsyncsBeforeTheRename()
    {
        var path = Path.Combine(_dir, "a.conf");
        int syncs = NativeMethods.SyncsOnThisThread;

        using var staged = AtomicFile.Stage(path, "v"u8, null, false, FileDurability.Full, flushLater: true);
        Assert.Equal(0, NativeMethods.SyncsOnThisThread - syncs);
        Assert.Equal("v", File.ReadAllText(staged.Path));

        staged.Commit();

        // The staged file's fsync (made here, as nothing started it) and the directory's.
        Assert.Equal(2, NativeMethods.SyncsOnThisThread - syncs);
        Assert.Equal("v", File.ReadAllText(path));
    }

    [Fact]
    public async Task Stage_FlushLaterStarted_FsyncedOffThisThreadAndTheCommitAddsNone()
    {
        var path = Path.Combine(_dir, "a.conf");
        var flusher = new DirectoryFlusher();
        int syncs = NativeMethods.SyncsOnThisThread;

        using (var staged = AtomicFile.Stage(path, "v"u8, null, false, FileDurability.Full, flushLater: true))
        {
            Assert.Equal(0, NativeMethods.SyncsOnThisThread - syncs);
            var flushing = staged.FlushInBackground();
            Assert.Same(flushing, staged.FlushInBackground());
            await flushing.WaitAsync(TimeSpan.FromSeconds(10));

            // Counted around the commit alone: the thread may have changed at the await.
            syncs = NativeMethods.SyncsOnThisThread;
            staged.Commit(flusher: flusher);
            Assert.Equal(0, NativeMethods.SyncsOnThisThread - syncs);
        }

        Assert.Equal("v", File.ReadAllText(path));
        await flusher.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Stage_FlushLaterDisposedWhileFlushing_StagedFileGoneAndDestinationUntouched()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "old");

        using (var staged = AtomicFile.Stage(path, "new"u8, null, false, FileDurability.Full, flushLater: true))
        {
            _ = staged.FlushInBackground();
        }

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Stage_FlushLaterWithoutDurability_NothingToFlush()
    {
        var path = Path.Combine(_dir, "a.conf");
        using var staged = AtomicFile.Stage(path, "v"u8, null, false, FileDurability.None, flushLater: true);

        Assert.True(staged.FlushInBackground().IsCompleted);
        int syncs = NativeMethods.SyncsOnThisThread;
        staged.Commit();
        Assert.Equal(0, NativeMethods.SyncsOnThisThread - syncs);
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
    public void Commit_BackupPathIsASymlinkPlantedByAnotherUser_LinkReplacedItsTargetUntouched()
    {
        // A local user who can write the directory points dest.bak at a file root must not overwrite.
        var path = Path.Combine(_dir, "a.conf");
        var victim = Path.Combine(_dir, "victim");
        File.WriteAllText(victim, "precious");
        File.WriteAllText(path, "v1");
        File.CreateSymbolicLink(path + ".bak", victim);

        using (var staged = AtomicFile.Stage(path, "v2"u8))
        {
            staged.Commit(backupPath: path + ".bak");
        }

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(path + ".bak").LinkTarget);
        Assert.Equal("v1", File.ReadAllText(path + ".bak"));
        Assert.Equal("v2", File.ReadAllText(path));
        Assert.Equal(3, Directory.GetFileSystemEntries(_dir).Length);
    }

    [Fact]
    public void Commit_Backup_HasTheReplacedFilesModeAndOwner()
    {
        var path = Path.Combine(_dir, "secret.conf");
        File.WriteAllText(path, "v1");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);

        using (var staged = AtomicFile.Stage(path, "v2"u8))
        {
            staged.Commit(backupPath: path + ".bak");
        }

        Assert.Equal(mode, File.GetUnixFileMode(path + ".bak"));
        Assert.Equal(AtomicFile.Owner(path), AtomicFile.Owner(path + ".bak"));
    }

    [Fact]
    public void Write_DestinationIsASymlink_ReplacedByARegularFileTargetUntouched()
    {
        var target = Path.Combine(_dir, "real.conf");
        File.WriteAllText(target, "same");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.SetUser);
        var path = Path.Combine(_dir, "a.conf");
        File.CreateSymbolicLink(path, target);

        // The link is never up to date, even when its target holds the very content.
        Assert.False(AtomicFile.IsUpToDate(path, "same"u8));
        AtomicFile.Write(path, "same"u8);

        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal("same", File.ReadAllText(path));

        // The target's mode (here setuid) is not inherited: a new file's default.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.SetUser, File.GetUnixFileMode(target));
        Assert.True(AtomicFile.IsUpToDate(path, "same"u8));
    }

    [Fact]
    public void Commit_BackupOfASymlinkedDestination_KeepsTheLinkNotItsTarget()
    {
        var target = Path.Combine(_dir, "real.conf");
        File.WriteAllText(target, "old");
        var path = Path.Combine(_dir, "a.conf");
        File.CreateSymbolicLink(path, target);

        using (var staged = AtomicFile.Stage(path, "new"u8))
        {
            staged.Commit(backupPath: path + ".bak");
        }

        Assert.Equal(target, new FileInfo(path + ".bak").LinkTarget);
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void Stage_SetgidModeAndAnotherOwner_ModeSurvivesTheOwnerChange()
    {
        // chown(2) clears setuid/setgid, so the mode must be set after the owner. Only root can give a file away.
        var path = Path.Combine(_dir, "tool");
        var mode = (UnixFileMode)Convert.ToInt32("2750", 8);
        int nobody = Environment.UserName == "root" && UnixAccounts.TryGetUid("nobody", out var uid) ? uid : AtomicFile.Owner(_dir).Uid;
        AtomicFile.Write(path, "#!/bin/sh\n"u8, new FileOwnership(Mode: mode, Uid: nobody));

        Assert.Equal(mode, File.GetUnixFileMode(path));
        Assert.Equal(nobody, AtomicFile.Owner(path).Uid);
    }

    [Fact]
    public void RemoveStaleStageFiles_LeftByAKilledRun_OnlyTendsStageNamesRemoved()
    {
        var path = Path.Combine(_dir, "a.conf");
        File.WriteAllText(path, "installed");
        var abandoned = AtomicFile.Stage(path, "never committed"u8).Path; // a run killed before its rename
        string[] stale = [abandoned, Path.Combine(_dir, ".a.conf.tend-0123456789"), Path.Combine(_dir, ".a.conf.bak.tend-abcdef0123")];
        string[] operators =
        [
            Path.Combine(_dir, ".a.conf.tend-XYZ"), Path.Combine(_dir, ".a.conf.tend-0123456789.orig"), Path.Combine(_dir, ".b.conf.tend-0123456789"),
            Path.Combine(_dir, "a.conf.tend-0123456789"), Path.Combine(_dir, ".a.conf.tend-ABCDEF0123"), Path.Combine(_dir, ".a.conf.swp"),
        ];
        foreach (var f in stale.Skip(1).Concat(operators))
        {
            File.WriteAllText(f, "x");
        }

        Directory.CreateDirectory(Path.Combine(_dir, ".a.conf.tend-0000000000"));

        var removed = AtomicFile.RemoveStaleStageFiles(path);

        Assert.Equal(stale.Order(StringComparer.Ordinal), removed.Order(StringComparer.Ordinal));
        Assert.All(operators, f => Assert.True(File.Exists(f), f));
        Assert.True(Directory.Exists(Path.Combine(_dir, ".a.conf.tend-0000000000")));
        Assert.Equal("installed", File.ReadAllText(path));
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

    [Fact]
    public void Stage_OrderedWhereItDoesNotHold_FsyncedBeforeTheRenameAsFull()
    {
        var path = Path.Combine(_dir, "a.conf");
        var no = new DurabilityFallback("8:1", "ext4 on sda1 has no journal");
        int syncs = NativeMethods.SyncsOnThisThread, writes = NativeMethods.DataWritesOnThisThread;

        using (var staged = AtomicFile.StageWith(new OrderedFallsBack(no), path, "v"u8, null, false, FileDurability.Ordered))
        {
            // Before the rename: the full fsync, no data-only write.
            Assert.Equal((0, 1), (NativeMethods.DataWritesOnThisThread - writes, NativeMethods.SyncsOnThisThread - syncs));
            Assert.Equal(FileDurability.Full, staged.Durability);
            Assert.Same(no, staged.Fallback);
            staged.Commit();
        }

        // After it: the directory only.
        Assert.Equal((0, 2), (NativeMethods.DataWritesOnThisThread - writes, NativeMethods.SyncsOnThisThread - syncs));
        Assert.Equal("v", File.ReadAllText(path));
    }

    [Theory]
    [InlineData(FileDurability.Full)]
    [InlineData(FileDurability.None)]
    public void Stage_NotOrdered_FileSystemNotAskedAndNoFallback(FileDurability durability)
    {
        var check = new OrderedFallsBack(new DurabilityFallback("8:1", "never"));

        using var staged = AtomicFile.StageWith(check, Path.Combine(_dir, "a.conf"), "v"u8, null, false, durability);

        Assert.Equal((0, durability, null), (check.Asked, staged.Durability, staged.Fallback));
    }

    /// <summary>A file system where ordered holds.</summary>
    private sealed class OrderedHolds : IOrderedDurabilityCheck
    {
        public static readonly OrderedHolds Instance = new();

        public DurabilityFallback? Check(Microsoft.Win32.SafeHandles.SafeFileHandle file) => null;
    }

    /// <summary>A file system where it does not.</summary>
    private sealed class OrderedFallsBack(DurabilityFallback fallback) : IOrderedDurabilityCheck
    {
        public int Asked { get; private set; }

        public DurabilityFallback? Check(Microsoft.Win32.SafeHandles.SafeFileHandle file)
        {
            Asked++;
            return fallback;
        }
    }
}
