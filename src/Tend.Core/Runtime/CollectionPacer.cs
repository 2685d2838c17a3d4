namespace Tend.Core.Runtime;

/// <summary>
/// Decides when a young-generation collection should run early, at a moment the caller knows to be quiet (a
/// change fully written), instead of wherever the allocation that exhausts the budget happens to fall — which, in
/// a process that only works when something changes, is part-way through the next change.
/// </summary>
/// <remarks>
/// The budget is learnt from the collections the allocations triggered themselves: the young generation's size
/// just before such a collection (<see cref="Observe"/>). A collection is due once <see cref="Fraction"/> of it has
/// been allocated since the last collection of any kind. Until a natural collection has been seen nothing is due,
/// so a process that allocates little never collects because of this.
/// </remarks>
public sealed class CollectionPacer
{
    private readonly Lock _gate = new();
    private long _lastIndex = -1;
    private long _forcedIndex = -1;
    private long _allocatedAtLast;
    private long _budget;

    /// <summary>The share of the learnt budget after which a collection is due (0.5: half way to where one would trigger).</summary>
    public double Fraction { get; init; } = 0.5;

    /// <summary>The budget learnt so far, in bytes (0 before any natural collection was seen).</summary>
    public long Budget
    {
        get
        {
            lock (_gate)
            {
                return _budget;
            }
        }
    }

    /// <summary>
    /// One look: <paramref name="lastIndex"/> is the index of the last young-generation collection and
    /// <paramref name="youngSizeBefore"/> its generation-0 size before it; <paramref name="allocated"/> the bytes the
    /// process allocated so far. True when a collection is due now.
    /// </summary>
    public bool Observe(long lastIndex, long youngSizeBefore, long allocated)
    {
        lock (_gate)
        {
            if (lastIndex != _lastIndex)
            {
                // A collection since the last look: the count starts again from here (a little late, by what was
                // allocated since it ran). Only one the allocations triggered tells the budget.
                _lastIndex = lastIndex;
                _allocatedAtLast = allocated;
                if (lastIndex != _forcedIndex && youngSizeBefore > 0)
                {
                    _budget = youngSizeBefore;
                }

                return false;
            }

            return _budget > 0 && allocated - _allocatedAtLast >= _budget * Fraction;
        }
    }

    /// <summary>Records the collection just run because <see cref="Observe"/> said so, so that it does not count as a natural one.</summary>
    public void Collected(long index, long allocated)
    {
        lock (_gate)
        {
            _forcedIndex = index;
            _lastIndex = index;
            _allocatedAtLast = allocated;
        }
    }
}
