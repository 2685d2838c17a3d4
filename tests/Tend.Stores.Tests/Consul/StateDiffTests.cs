using Tend.Core.Kv;
using Tend.Stores.Consul.Watch;
using Xunit;

namespace Tend.Stores.Tests.Consul;

public sealed class StateDiffTests
{
    private static KvSnapshot State(long index, params (string Key, string Value, long Mod)[] pairs) =>
        KvSnapshot.Create("/p", index, pairs.Select(p => new KvPair(p.Key, p.Value, p.Mod)));

    [Fact]
    public void Compute_ForeignPutsAndDelete_PutsAtTheirIndexDeleteAtAnswerIndex()
    {
        var known = State(10, ("/p/a", "1", 5), ("/p/b", "2", 6));
        var observed = State(20, ("/p/a", "1", 5), ("/p/c", "3", 15), ("/p/b", "x", 18));

        var changes = StateDiff.Compute(known, [], observed)!;

        Assert.Equal([("/p/c", KvChangeKind.Put, 15L), ("/p/b", KvChangeKind.Put, 18L)], changes.Select(c => (c.Key, c.Kind, c.Revision)));
        Assert.Equal("2", changes[1].PreviousValue);

        var gone = StateDiff.Compute(observed, [], State(25, ("/p/a", "1", 5), ("/p/c", "3", 15)))!;
        Assert.Equal([("/p/b", KvChangeKind.Delete, 25L)], gone.Select(c => (c.Key, c.Kind, c.Revision)));
    }

    [Fact]
    public void Compute_OwnWritesCollapsedInOneAnswer_EveryWriteReplayedInOrder()
    {
        var known = State(10);
        OwnWrite[] own = [new("/p/k", "1", 11), new("/p/k", "2", 12), new("/p/j", "x", 13), new("/p/k", "3", 14)];
        var observed = State(14, ("/p/j", "x", 13), ("/p/k", "3", 14));

        var changes = StateDiff.Compute(known, own, observed)!;

        Assert.Equal(["1", "2", "x", "3"], changes.Select(c => c.Value));
        Assert.Equal([11L, 12, 13, 14], changes.Select(c => c.Revision));
    }

    [Fact]
    public void Compute_OwnPutThenForeignDelete_PutThenDeleteAtAnswerIndex()
    {
        var changes = StateDiff.Compute(State(10), [new("/p/k", "1", 11)], State(13))!;

        Assert.Equal([(KvChangeKind.Put, 11L), (KvChangeKind.Delete, 13L)], changes.Select(c => (c.Kind, c.Revision)));
    }

    [Fact]
    public void Compute_OwnWriteOverwrittenByForeignWrite_BothInOrder()
    {
        var changes = StateDiff.Compute(State(10), [new("/p/k", "mine", 11)], State(12, ("/p/k", "theirs", 12)))!;

        Assert.Equal(["mine", "theirs"], changes.Select(c => c.Value));
    }

    [Fact]
    public void Compute_OwnDeleteOfMissingKey_NoChange()
    {
        var changes = StateDiff.Compute(State(10), [new("/p/k", null, 11)], State(11))!;

        Assert.Empty(changes);
    }

    [Fact]
    public void Compute_OwnWritesOutsideTheWindow_Ignored()
    {
        var known = State(10, ("/p/k", "1", 9));
        var changes = StateDiff.Compute(known, [new("/p/k", "1", 9), new("/p/k", "later", 30)], State(20, ("/p/k", "1", 9)))!;

        Assert.Empty(changes);
    }

    [Theory]
    [InlineData(3L)]   // a key older than the known state that the known state did not have
    [InlineData(25L)]  // a key written after the answer's own index
    public void Compute_StatesOfDifferentHistories_Null(long mod)
    {
        Assert.Null(StateDiff.Compute(State(10), [], State(20, ("/p/k", "v", mod))));
    }

    [Fact]
    public void Compute_SameIndexDifferentValue_Null()
    {
        Assert.Null(StateDiff.Compute(State(10, ("/p/k", "a", 5)), [], State(20, ("/p/k", "b", 5))));
    }

    [Fact]
    public void Compute_OwnPutAtAnswerIndexMissingFromState_Null()
    {
        Assert.Null(StateDiff.Compute(State(10), [new("/p/k", "v", 20)], State(20)));
    }
}
