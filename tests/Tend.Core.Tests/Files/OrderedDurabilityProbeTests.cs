using Tend.Core.Files;
using Tend.Testing;
using Xunit;

namespace Tend.Core.Tests.Files;

/// <summary>The decision on fake /proc and /sys trees, and on this machine's own against what <c>stat</c> and /proc say.</summary>
public sealed class OrderedDurabilityProbeTests : IDisposable
{
    private const ulong Ext4 = 0xEF53, Xfs = 0x58465342, Btrfs = 0x9123683E;

    private const string RootMount = "26 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro\n";

    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    private string Proc => Path.Combine(_root.Path, "proc");

    private string Sys => Path.Combine(_root.Path, "sys");

    private OrderedDurabilityProbe Probe => new(Proc, Sys);

    /// <summary>A fake tree: block device <paramref name="device"/> named <paramref name="name"/> under /sys, the given jbd2 entries and mountinfo.</summary>
    private void Tree(string device, string name, string mountinfo, params string[] journals)
    {
        Directory.CreateDirectory(Path.Combine(Sys, "dev", "block"));
        File.CreateSymbolicLink(Path.Combine(Sys, "dev", "block", device), $"../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/{name}");
        Directory.CreateDirectory(Path.Combine(Proc, "fs", "jbd2"));
        foreach (var j in journals)
        {
            Directory.CreateDirectory(Path.Combine(Proc, "fs", "jbd2", j));
        }

        _root.File("proc/self/mountinfo", mountinfo);
    }

    [Fact]
    public void Decide_Ext4WithJournal_Holds()
    {
        Tree("8:1", "sda1", RootMount, "sda1-8");

        Assert.Null(Probe.Decide(Ext4, 8, 1));
    }

    [Fact]
    public void Decide_Ext4WithoutJournal_FallsBackNamingTheDevice()
    {
        // The only journal is another disk's, one whose name merely starts with this one's.
        Tree("8:1", "sda1", RootMount, "sda10-8");

        var fallback = Probe.Decide(Ext4, 8, 1);

        Assert.Equal(new DurabilityFallback("8:1", "ext4 on sda1 has no journal"), fallback);
    }

    [Fact]
    public void Decide_Ext4JournalNotEndingInItsInode_NotTakenForOne()
    {
        Tree("8:1", "sda1", RootMount, "sda1-x", "sda1-");

        Assert.Equal("ext4 on sda1 has no journal", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_DeviceMapperWithJournal_HoldsUnderItsKernelName()
    {
        Tree("253:0", "dm-0", "30 1 253:0 / / rw,relatime - ext4 /dev/mapper/vg-root rw\n", "dm-0-8");

        Assert.Null(Probe.Decide(Ext4, 253, 0));
    }

    [Fact]
    public void Decide_NvmePartitionJournalOfAnotherInode_Holds()
    {
        Tree("259:2", "nvme0n1p2", "30 1 259:2 / /data rw shared:1 - ext4 /dev/nvme0n1p2 rw\n", "nvme0n1p2-12");

        Assert.Null(Probe.Decide(Ext4, 259, 2));
    }

    [Fact]
    public void Decide_Xfs_HoldsWithoutAJournalEntry()
    {
        Tree("8:16", "sdb", "40 26 8:16 / /srv rw,noatime - xfs /dev/sdb rw,attr2,inode64,logbufs=8,noquota\n");

        Assert.Null(Probe.Decide(Xfs, 8, 16));
    }

    [Fact]
    public void Decide_Btrfs_FallsBackNamingTheFileSystem()
    {
        Tree("0:45", "unused", "50 1 0:45 / / rw - btrfs /dev/sda2 rw,ssd\n");

        Assert.Equal(new DurabilityFallback("0:45", "the file system is btrfs"), Probe.Decide(Btrfs, 0, 45));
    }

    [Fact]
    public void Decide_UnknownFileSystem_FallsBackWithItsMagicNumber()
    {
        Assert.Equal("the file system is of type 0x12345678", Probe.Decide(0x12345678, 0, 50)?.Reason);
    }

    [Fact]
    public void Decide_Ext4MountedNobarrier_FallsBack()
    {
        Tree("8:1", "sda1", "26 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw,nobarrier,errors=remount-ro\n", "sda1-8");

        Assert.Equal("ext4 on sda1 is mounted nobarrier", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_XfsBindMountWithBarrierZero_FallsBack()
    {
        // The first mount of the device has barriers; a second one of the same file system says they are off.
        Tree("8:16", "sdb", "40 26 8:16 / /srv rw - xfs /dev/sdb rw\n41 26 8:16 /x /mnt/x rw,barrier=0 - xfs /dev/sdb rw\n");

        Assert.Equal("XFS on sdb is mounted nobarrier", Probe.Decide(Xfs, 8, 16)?.Reason);
    }

    [Fact]
    public void Decide_OtherDeviceNobarrier_DoesNotCount()
    {
        Tree("8:1", "sda1", RootMount + "27 26 8:2 / /var rw - ext4 /dev/sda2 rw,nobarrier\n", "sda1-8", "sda2-8");

        Assert.Null(Probe.Decide(Ext4, 8, 1));
    }

    [Theory]
    [InlineData("26 1 8:1 / / rw,relatime ext4 /dev/sda1 rw\n")]
    [InlineData("garbage\n")]
    [InlineData("26 1 8:1 / / rw - ext4\n")]
    [InlineData(RootMount + "27 26 / /x rw - tmpfs tmpfs rw extra\n")]
    public void Decide_MalformedMountinfo_FallsBack(string mountinfo)
    {
        Tree("8:1", "sda1", mountinfo, "sda1-8");

        Assert.StartsWith("cannot tell how ext4 on sda1 is mounted", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_DeviceNotInMountinfo_FallsBack()
    {
        Tree("8:1", "sda1", "27 26 8:2 / /var rw - ext4 /dev/sda2 rw\n", "sda1-8");

        Assert.Contains("has no mount of 8:1", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_NoSys_Ext4FallsBack()
    {
        _root.File("proc/self/mountinfo", RootMount);
        Directory.CreateDirectory(Path.Combine(Proc, "fs", "jbd2", "sda1-8"));

        Assert.StartsWith("cannot tell whether ext4 on 8:1 has a journal", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_NoJbd2Directory_Ext4FallsBack()
    {
        Tree("8:1", "sda1", RootMount);
        Directory.Delete(Path.Combine(Proc, "fs", "jbd2"));

        Assert.StartsWith("cannot tell whether ext4 on sda1 has a journal", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_NoProcAtAll_XfsFallsBack()
    {
        Assert.StartsWith("cannot tell how XFS on 8:16 is mounted", Probe.Decide(Xfs, 8, 16)?.Reason);
    }

    [Fact]
    public void Decide_TypeUnreadable_FallsBack()
    {
        Tree("8:1", "sda1", RootMount, "sda1-8");

        Assert.Equal("the file system's type cannot be read (fstatfs failed)", Probe.Decide(null, 8, 1)?.Reason);
    }

    [Fact]
    public void Decide_MountinfoReadFails_FallsBackWithoutThrowing()
    {
        Tree("8:1", "sda1", RootMount, "sda1-8");
        var mountinfo = Path.Combine(Proc, "self", "mountinfo");
        File.Delete(mountinfo);

        // A file that exists and fails on the first read: this process's memory at address 0 (EIO).
        File.CreateSymbolicLink(mountinfo, "/proc/self/mem");

        Assert.StartsWith("cannot tell what the file system on 8:1 does", Probe.Decide(Ext4, 8, 1)?.Reason);
    }

    [Fact]
    public void Check_TwoFilesOnOneDevice_LooksOnce()
    {
        var probe = Probe;
        using var a = File.OpenHandle(_root.File("a", "a"));
        using var b = File.OpenHandle(_root.File("b", "b"));

        var first = probe.Check(a);
        var second = probe.Check(b);

        Assert.Equal(1, probe.Decisions);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Check_ThisMachinesTempDirectory_AgreesWithStatAndProc()
    {
        bool expected = OrderedDurabilityOracle.Holds(_root.Path, out var why);
        using var file = File.OpenHandle(_root.File("probe", "x"));

        var fallback = new OrderedDurabilityProbe("/proc", "/sys").Check(file);

        Assert.True(expected == (fallback is null), $"expected {(expected ? "ordered" : "full")} ({why}); the probe said {fallback?.Reason ?? "ordered"}");
    }

    [Fact]
    public void Stage_OrderedOnThisMachinesTempDirectory_FlushedAsTheFileSystemAllows()
    {
        bool holds = OrderedDurabilityOracle.Holds(_root.Path, out var why);
        var path = Path.Combine(_root.Path, "a.conf");
        int syncs = NativeMethods.SyncsOnThisThread;

        using var staged = AtomicFile.Stage(path, "v"u8, durability: FileDurability.Ordered);

        Assert.True(holds ? staged.Fallback is null : staged.Fallback is not null, why);
        Assert.Equal(holds ? FileDurability.Ordered : FileDurability.Full, staged.Durability);
        Assert.Equal(holds ? 0 : 1, NativeMethods.SyncsOnThisThread - syncs);
    }
}
