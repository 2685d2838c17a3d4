using Microsoft.Extensions.Logging.Abstractions;
using Tend.Daemon;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

/// <summary>Giving memory back once the daemon is quiet: when (the policy), what (the executable's read-only mappings), and the service's looks.</summary>
public sealed class MemoryTrimTests
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void Next_FirstLook_NoTrimWithoutAPreviousLook()
    {
        var policy = new MemoryTrimPolicy();
        Assert.Equal(TrimAction.None, policy.Next(allocated: 30 * Mb, committed: 10 * Mb, imageResident: 20 * Mb));
    }

    [Fact]
    public void Next_QuietAfterStart_TrimsOnceWhateverTheHeap()
    {
        var policy = new MemoryTrimPolicy();
        policy.Next(30 * Mb, 1 * Mb, 20 * Mb);
        Assert.Equal(TrimAction.Full, policy.Next(30 * Mb + 1000, 1 * Mb, 20 * Mb));
    }

    [Fact]
    public void Next_StillAllocating_Waits()
    {
        var policy = new MemoryTrimPolicy();
        policy.Next(30 * Mb, 10 * Mb, 20 * Mb);
        Assert.Equal(TrimAction.None, policy.Next(30 * Mb + MemoryTrimPolicy.QuietBytes, 10 * Mb, 20 * Mb));
        Assert.Equal(TrimAction.Full, policy.Next(30 * Mb + MemoryTrimPolicy.QuietBytes + 10, 10 * Mb, 20 * Mb));
    }

    [Fact]
    public void Next_QuietAfterATrimWithoutGrowth_DoesNotTrimAgain()
    {
        var policy = TrimmedOnce(imageAfter: 8 * Mb);

        Assert.Equal(TrimAction.None, policy.Next(31 * Mb, 6 * Mb + MemoryTrimPolicy.GrowthBytes - 1, 8 * Mb + MemoryTrimPolicy.ImageGrowthBytes - 1));
        Assert.Equal(TrimAction.None, policy.Next(31 * Mb + 100, 6 * Mb + MemoryTrimPolicy.GrowthBytes - 1, 8 * Mb + MemoryTrimPolicy.ImageGrowthBytes - 1));
    }

    [Fact]
    public void Next_GrownAndQuietAgain_TrimsAgain()
    {
        var policy = TrimmedOnce(imageAfter: 8 * Mb);

        // A reload or a large resync: the heap grows while the daemon works, then it is quiet again.
        Assert.Equal(TrimAction.None, policy.Next(80 * Mb, 20 * Mb, 8 * Mb));
        Assert.Equal(TrimAction.Full, policy.Next(80 * Mb + 4096, 20 * Mb, 8 * Mb));
    }

    [Fact]
    public void Next_ExecutablePagesMappedAgainAfterATrim_TrimsAgainWhenQuiet()
    {
        // The etcd watchdog's first probe, after the first trim: 4.4 MB of code and read-only data, a little heap.
        var policy = TrimmedOnce(imageAfter: 8 * Mb);

        Assert.Equal(TrimAction.None, policy.Next(31 * Mb, 7 * Mb, 13 * Mb));
        Assert.Equal(TrimAction.None, policy.Next(31 * Mb + 1000, 7 * Mb, 13 * Mb));
        Assert.Equal(TrimAction.Again, policy.Next(31 * Mb + 2000, 7 * Mb, 13 * Mb));
    }

    [Fact]
    public void Next_PagesMappedAsWorkBeginsAfterAQuietSpell_DoesNotTrimUntilQuietAgain()
    {
        // The first change after a quiet spell maps code with little allocated yet: no collection in its way.
        var policy = TrimmedOnce(imageAfter: 8 * Mb);
        Assert.Equal(TrimAction.None, policy.Next(30 * Mb + 1000, 6 * Mb, 8 * Mb));
        Assert.Equal(TrimAction.None, policy.Next(30 * Mb + 2000, 6 * Mb, 13 * Mb));
        Assert.Equal(TrimAction.None, policy.Next(40 * Mb, 6 * Mb, 13 * Mb));
        Assert.Equal(TrimAction.None, policy.Next(40 * Mb + 1000, 6 * Mb, 13 * Mb));
        Assert.Equal(TrimAction.Again, policy.Next(40 * Mb + 2000, 6 * Mb, 13 * Mb));
    }

    [Fact]
    public void Next_SteadyWorkMapsPagesAgainAfterATrimAgain_NotTrimmedForThem()
    {
        var policy = TrimmedOnce(imageAfter: 8 * Mb);
        long allocated = 30 * Mb;
        policy.Next(allocated += 1000, 6 * Mb, 13 * Mb);
        Assert.Equal(TrimAction.Again, policy.Next(allocated += 1000, 6 * Mb, 13 * Mb));
        policy.Trimmed(TrimAction.Again, 6 * Mb, 5 * Mb, allocated);

        // The probe every 5 s maps its code again at once: 11 MB is the idle level now, not growth.
        for (int look = 0; look < 50; look++)
        {
            Assert.Equal(TrimAction.None, policy.Next(allocated += 1000, 6 * Mb, 11 * Mb));
        }

        // A reload's code on top of that is.
        policy.Next(allocated += 1000, 6 * Mb, 14 * Mb);
        Assert.Equal(TrimAction.Again, policy.Next(allocated += 1000, 6 * Mb, 14 * Mb));
    }

    [Fact]
    public void Next_ExecutablePagesKeepComingBack_EachTrimWaitsTwiceAsLong()
    {
        var policy = TrimmedOnce(imageAfter: 8 * Mb);
        long allocated = 30 * Mb;
        var waits = new List<int>();
        for (int trim = 0; trim < 12; trim++)
        {
            // Each time the idle level settles first, then pages beyond it are mapped (a new code path every time);
            // count the looks until the policy trims them.
            int looks = 1;
            while (policy.Next(allocated += 1000, 6 * Mb, looks <= 2 ? 8 * Mb : 11 * Mb) != TrimAction.Again)
            {
                looks++;
            }

            waits.Add(looks);
            policy.Trimmed(TrimAction.Again, 6 * Mb, 8 * Mb, allocated);
        }

        // Four looks at least: two to settle, and the pages must have been there at the previous one too.
        Assert.Equal([4, 4, 4, 8, 16, 32, 64, 128, 256, 512, MemoryTrimPolicy.MaxImageBackoffLooks, MemoryTrimPolicy.MaxImageBackoffLooks], waits);
    }

    [Fact]
    public void Next_FullTrimAfterImageTrims_WaitStartsOverAtOneLook()
    {
        var policy = TrimmedOnce(imageAfter: 8 * Mb);
        policy.Trimmed(TrimAction.Again, 6 * Mb, 8 * Mb, 30 * Mb);
        policy.Trimmed(TrimAction.Again, 6 * Mb, 8 * Mb, 30 * Mb);
        policy.Trimmed(TrimAction.Full, 6 * Mb, 8 * Mb, 30 * Mb);

        Assert.Equal(TrimAction.None, policy.Next(30 * Mb + 1000, 6 * Mb, 11 * Mb));
        Assert.Equal(TrimAction.Again, policy.Next(30 * Mb + 2000, 6 * Mb, 11 * Mb));
    }

    [Fact]
    public void Look_QuietTwice_TrimsOnceAndLogs()
    {
        long allocated = 30 * Mb;
        var actions = new List<TrimAction>();
        var trim = new MemoryTrim(
            NullLogger<MemoryTrim>.Instance,
            measure: () => (allocated, actions.Count == 0 ? 10 * Mb : 6 * Mb, 8 * Mb),
            trim: action =>
            {
                actions.Add(action);
                return (6 * Mb, 12 * Mb);
            });

        Assert.Equal(TrimAction.None, trim.Look());
        Assert.Equal(TrimAction.Full, trim.Look());
        allocated += 1000;
        Assert.Equal(TrimAction.None, trim.Look());
        Assert.Equal([TrimAction.Full], actions);
        Assert.Equal(1, trim.Trims);
    }

    [Fact]
    public void Look_PagesMappedAgainAfterTheTrim_TrimsAgainOnce()
    {
        long allocated = 30 * Mb;
        long image = 20 * Mb;
        var actions = new List<TrimAction>();
        var trim = new MemoryTrim(
            NullLogger<MemoryTrim>.Instance,
            measure: () => (allocated, 6 * Mb, image),
            trim: action =>
            {
                actions.Add(action);
                image = 8 * Mb;
                return (6 * Mb, 12 * Mb);
            });

        trim.Look();
        Assert.Equal(TrimAction.Full, trim.Look());
        image = 13 * Mb;
        allocated += 1000;
        Assert.Equal(TrimAction.None, trim.Look());
        allocated += 1000;
        Assert.Equal(TrimAction.Again, trim.Look());
        allocated += 1000;
        Assert.Equal(TrimAction.None, trim.Look());
        Assert.Equal([TrimAction.Full, TrimAction.Again], actions);
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

    private static MemoryTrimPolicy TrimmedOnce(long imageAfter)
    {
        var policy = new MemoryTrimPolicy();
        policy.Next(30 * Mb, 10 * Mb, 20 * Mb);
        Assert.Equal(TrimAction.Full, policy.Next(30 * Mb, 10 * Mb, 20 * Mb));
        policy.Trimmed(TrimAction.Full, committedAfter: 6 * Mb, imageResidentAfter: imageAfter, allocated: 30 * Mb);
        return policy;
    }

    private static string Mapping(string header, int anonymousKb) =>
        $"{header}\nSize:                 16 kB\nRss:                  16 kB\nAnonymous:            {anonymousKb} kB\nVmFlags: rd mr mw me dw\n";
}
