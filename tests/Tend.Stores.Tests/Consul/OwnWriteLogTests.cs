using Tend.Stores.Consul.Watch;
using Xunit;

namespace Tend.Stores.Tests.Consul;

public sealed class OwnWriteLogTests
{
    [Fact]
    public void Between_AnswersRecordedOutOfOrder_IndexOrderUnderPrefixOnly()
    {
        var log = new OwnWriteLog(100);
        log.Record([new("/a/x", "3", 30)]);
        log.Record([new("/a/y", "1", 10), new("/a/z", null, 10)]);
        log.Record([new("/b/x", "2", 20)]);
        log.Record([new("/a/x", "4", 40)]);

        Assert.Equal([("/a/y", 10L), ("/a/z", 10), ("/a/x", 30)], log.Between(5, 30, "/a").Select(w => (w.Key, w.Index)));
        Assert.Equal([("/b/x", 20L)], log.Between(10, 40, "/b").Select(w => (w.Key, w.Index)));
    }

    [Fact]
    public void Record_PastCapacity_OldestForgotten()
    {
        var log = new OwnWriteLog(3);
        for (int i = 1; i <= 5; i++)
        {
            log.Record([new("/k", i.ToString(System.Globalization.CultureInfo.InvariantCulture), i)]);
        }

        Assert.Equal([3L, 4, 5], log.Between(0, 10, "/").Select(w => w.Index));
    }

    [Fact]
    public void Record_ValuesPastTheSizeBound_OldestForgotten()
    {
        var log = new OwnWriteLog(100, maxChars: 10);
        log.Record([new("/a", "12345", 1)]);
        log.Record([new("/b", "12345", 2)]);
        log.Record([new("/c", "123", 3)]);

        Assert.Equal([2L, 3], log.Between(0, 10, "/").Select(w => w.Index));
    }

    [Fact]
    public void ForgetAbove_IndexWentBack_LaterWritesOfTheOldHistoryGone()
    {
        var log = new OwnWriteLog(10);
        log.Record([new("/k", "old", 50)]);
        log.Record([new("/k", "new", 12)]);

        log.ForgetAbove(13);

        Assert.Equal(["new"], log.Between(0, 100, "/").Select(w => w.Value));
    }
}
