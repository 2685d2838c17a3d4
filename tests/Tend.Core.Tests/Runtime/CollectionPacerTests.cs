using Tend.Core.Runtime;
using Xunit;

namespace Tend.Core.Tests.Runtime;

/// <summary>When a young-generation collection is run early, between changes: learnt from the collections allocations triggered.</summary>
public sealed class CollectionPacerTests
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void Observe_NoNaturalCollectionSeen_NeverDue()
    {
        var pacer = new CollectionPacer();

        Assert.False(pacer.Observe(lastIndex: 0, youngSizeBefore: 0, allocated: 1 * Mb));
        Assert.False(pacer.Observe(0, 0, 500 * Mb));
        Assert.Equal(0, pacer.Budget);
    }

    [Fact]
    public void Observe_HalfTheLearntBudgetAllocatedSinceTheLastCollection_Due()
    {
        var pacer = new CollectionPacer();

        // Collection 7 was triggered by allocations with 6 MB in the young generation: that is the budget, counted from here.
        Assert.False(pacer.Observe(7, 6 * Mb, 100 * Mb));
        Assert.Equal(6 * Mb, pacer.Budget);
        Assert.False(pacer.Observe(7, 6 * Mb, 102 * Mb));
        Assert.True(pacer.Observe(7, 6 * Mb, 103 * Mb));
    }

    [Fact]
    public void Collected_TheEarlyCollectionTeachesNoBudgetAndRestartsTheCount()
    {
        var pacer = new CollectionPacer();
        pacer.Observe(7, 6 * Mb, 100 * Mb);
        Assert.True(pacer.Observe(7, 6 * Mb, 104 * Mb));

        // Run early with 4 MB in the young generation: not what a natural one would have had.
        pacer.Collected(8, 104 * Mb);
        Assert.False(pacer.Observe(8, 4 * Mb, 105 * Mb));
        Assert.Equal(6 * Mb, pacer.Budget);
        Assert.False(pacer.Observe(8, 4 * Mb, 106 * Mb));
        Assert.True(pacer.Observe(8, 4 * Mb, 107 * Mb));
    }

    [Fact]
    public void Observe_ANaturalCollectionAfterAnEarlyOne_RelearnsTheBudget()
    {
        var pacer = new CollectionPacer();
        pacer.Observe(7, 6 * Mb, 100 * Mb);
        pacer.Collected(8, 103 * Mb);

        // The budget shrank: allocations triggered collection 9 at 2 MB, before the early one came due.
        Assert.False(pacer.Observe(9, 2 * Mb, 105 * Mb));
        Assert.Equal(2 * Mb, pacer.Budget);
        Assert.True(pacer.Observe(9, 2 * Mb, 106 * Mb));
    }

    [Fact]
    public void Observe_Fraction_SetsHowEarly()
    {
        var pacer = new CollectionPacer { Fraction = 0.75 };
        pacer.Observe(1, 4 * Mb, 0);

        Assert.False(pacer.Observe(1, 4 * Mb, 2 * Mb));
        Assert.True(pacer.Observe(1, 4 * Mb, 3 * Mb));
    }
}
