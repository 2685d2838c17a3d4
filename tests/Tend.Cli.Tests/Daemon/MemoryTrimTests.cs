using Microsoft.Extensions.Logging.Abstractions;
using Tend.Daemon;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

/// <summary>Giving memory back once the daemon is quiet: when (the policy), what (the executable's read-only mappings), and the service's looks.</summary>
public sealed class MemoryTrimTests
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void ShouldTrim_FirstLook_NoTrimWithoutAPreviousLook()
    {
        var policy = new MemoryTrimPolicy();
        Assert.False(policy.ShouldTrim(allocated: 30 * Mb, committed: 10 * Mb));
    }

    [Fact]
    public void ShouldTrim_QuietAfterStart_TrimsOnceWhateverTheHeap()
    {
        var policy = new MemoryTrimPolicy();
        policy.ShouldTrim(30 * Mb, 1 * Mb);
        Assert.True(policy.ShouldTrim(30 * Mb + 1000, 1 * Mb));
    }

    [Fact]
    public void ShouldTrim_StillAllocating_Waits()
    {
        var policy = new MemoryTrimPolicy();
        policy.ShouldTrim(30 * Mb, 10 * Mb);
        Assert.False(policy.ShouldTrim(30 * Mb + MemoryTrimPolicy.QuietBytes, 10 * Mb));
        Assert.True(policy.ShouldTrim(30 * Mb + MemoryTrimPolicy.QuietBytes + 10, 10 * Mb));
    }

    [Fact]
    public void ShouldTrim_QuietAfterATrimWithoutGrowth_DoesNotTrimAgain()
    {
        var policy = new MemoryTrimPolicy();
        policy.ShouldTrim(30 * Mb, 10 * Mb);
        Assert.True(policy.ShouldTrim(30 * Mb, 10 * Mb));
        policy.Trimmed(committedAfter: 6 * Mb, allocated: 30 * Mb);

        Assert.False(policy.ShouldTrim(31 * Mb, 6 * Mb + MemoryTrimPolicy.GrowthBytes - 1));
        Assert.False(policy.ShouldTrim(31 * Mb + 100, 6 * Mb + MemoryTrimPolicy.GrowthBytes - 1));
    }

    [Fact]
    public void ShouldTrim_GrownAndQuietAgain_TrimsAgain()
    {
        var policy = new MemoryTrimPolicy();
        policy.ShouldTrim(30 * Mb, 10 * Mb);
        policy.ShouldTrim(30 * Mb, 10 * Mb);
        policy.Trimmed(6 * Mb, 30 * Mb);

        // A reload or a large resync: the heap grows while the daemon works, then it is quiet again.
        Assert.False(policy.ShouldTrim(80 * Mb, 20 * Mb));
        Assert.True(policy.ShouldTrim(80 * Mb + 4096, 20 * Mb));
    }

    [Fact]
    public void Look_QuietTwice_TrimsOnceAndLogs()
    {
        long allocated = 30 * Mb;
        int trims = 0;
        var trim = new MemoryTrim(
            NullLogger<MemoryTrim>.Instance,
            measure: () => (allocated, trims == 0 ? 10 * Mb : 6 * Mb),
            trim: () =>
            {
                trims++;
                return (6 * Mb, 12 * Mb);
            });

        Assert.False(trim.Look());
        Assert.True(trim.Look());
        allocated += 1000;
        Assert.False(trim.Look());
        Assert.Equal(1, trims);
        Assert.Equal(1, trim.Trims);
    }

    [Fact]
    public void Mappings_ExecutableSmaps_UnmapsReadOnlyOnesKeepsThoseThatMayHoldOwnPages()
    {
        var smaps = string.Concat(
            Mapping("00400000-00404000 r--p 00000000 08:01 1234 /usr/bin/tend", anonymousKb: 0),
            Mapping("00404000-01043000 r-xp 00004000 08:01 1234 /usr/bin/tend", anonymousKb: 0),
            Mapping("01043000-013d9000 r--p 00c43000 08:01 1234 /usr/bin/tend", anonymousKb: 0),
            // RELRO: the loader relocated the GOT, then made it read-only; those pages are the process's own.
            Mapping("018c2000-018c4000 r--p 014c1000 08:01 1234 /usr/bin/tend", anonymousKb: 4),
            Mapping("018c4000-020cc000 rw-p 014c3000 08:01 1234 /usr/bin/tend", anonymousKb: 0),
            Mapping("020cc000-0212a000 rw-p 00000000 00:00 0", anonymousKb: 92),
            Mapping("7f418e956000-7f418eaac000 r-xp 00028000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6", anonymousKb: 0),
            Mapping("7f0000000000-7f0000001000 r--s 00000000 08:01 1234 /usr/bin/tend", anonymousKb: 0),
            Mapping("7f0000002000-7f0000003000 r--p 00000000 08:01 77 /usr/bin/tend-other", anonymousKb: 0));

        var found = ImagePages.Mappings(smaps, "/usr/bin/tend");

        Assert.Equal(
            [
                (0x400000UL, 0x4000UL, ImageRelease.Unmap),
                (0x404000UL, 0xc3f000UL, ImageRelease.Unmap),
                (0x1043000UL, 0x396000UL, ImageRelease.Unmap),
                (0x18c2000UL, 0x2000UL, ImageRelease.Keep),
                (0x18c4000UL, 0x808000UL, ImageRelease.Keep),
            ],
            found);
    }

    [Fact]
    public void Mappings_PathWithSpaces_Matched()
    {
        var found = ImagePages.Mappings(Mapping("00404000-00405000 r-xp 00004000 08:01 1234     /opt/my tools/tend", anonymousKb: 0), "/opt/my tools/tend");
        Assert.Equal([(0x404000UL, 0x1000UL, ImageRelease.Unmap)], found);
    }

    [Fact]
    public void Mappings_NoAnonymousLine_NothingReleased()
    {
        var found = ImagePages.Mappings("00404000-00405000 r-xp 00004000 08:01 1234 /usr/bin/tend\nRss:                   4 kB\n", "/usr/bin/tend");
        Assert.Empty(found);
    }

    [Fact]
    public void Release_ThisProcess_KeepsRunningAndReadingItsCode()
    {
        // The test host's own executable: its read-only pages are unmapped, and the code that runs next maps them again.
        long released = ImagePages.Release();
        Assert.True(released >= 0);
        Assert.Equal("ok", string.Concat("o", "k"));
        Assert.True(ImagePages.ResidentFileBytes() > 0);
    }

    private static string Mapping(string header, int anonymousKb) =>
        $"{header}\nSize:                 16 kB\nRss:                  16 kB\nAnonymous:            {anonymousKb} kB\nVmFlags: rd mr mw me dw\n";
}
