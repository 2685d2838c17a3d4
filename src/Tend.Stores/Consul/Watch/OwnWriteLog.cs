using Tend.Core.Kv;

namespace Tend.Stores.Consul.Watch;

/// <summary>
/// The writes this store made, with the index Consul gave each. A blocking query returns only the state after
/// a change, so writes that land between two answers collapse into their last value; the watches of this store
/// replay its own writes from here, in index order, and take only what they cannot explain from the state as
/// someone else's change. Puts and transactions with a put know their index (a transaction's results carry it);
/// a delete alone does not, and is found by the state diff instead. Bounded by count and by the size of the
/// values it holds (Consul values may be 512 KiB each): the oldest writes are forgotten first, which only costs
/// a watch the intermediate values of writes that old.
/// </summary>
internal sealed class OwnWriteLog(int capacity, long maxChars = OwnWriteLog.DefaultMaxChars)
{
    /// <summary>At most this many characters of values are kept (8 Mi characters, 16 MiB).</summary>
    public const long DefaultMaxChars = 8L << 20;

    private readonly Lock _gate = new();
    private readonly List<OwnWrite> _writes = [];
    private long _chars;

    /// <summary>Records the writes of one transaction (all at <see cref="OwnWrite.Index"/>), in their order.</summary>
    public void Record(IReadOnlyList<OwnWrite> writes)
    {
        if (writes.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            // Answers may arrive out of order: insert after every write with an index not above this one.
            long index = writes[0].Index;
            int at = _writes.Count;
            while (at > 0 && _writes[at - 1].Index > index)
            {
                at--;
            }

            _writes.InsertRange(at, writes);
            _chars += writes.Sum(w => (long)(w.Value?.Length ?? 0));
            int drop = 0;
            while (drop < _writes.Count && (_writes.Count - drop > capacity || _chars > maxChars))
            {
                _chars -= _writes[drop].Value?.Length ?? 0;
                drop++;
            }

            _writes.RemoveRange(0, drop);
        }
    }

    /// <summary>
    /// Forgets the writes above <paramref name="index"/>: the agent's index went back below them (it restarted
    /// empty, a snapshot was restored), so they belong to a history that is gone and their indexes will be reused.
    /// </summary>
    public void ForgetAbove(long index)
    {
        lock (_gate)
        {
            _chars -= _writes.Where(w => w.Index > index).Sum(w => (long)(w.Value?.Length ?? 0));
            _writes.RemoveAll(w => w.Index > index);
        }
    }

    /// <summary>The writes with <paramref name="after"/> &lt; index ≤ <paramref name="upTo"/> at or below <paramref name="prefix"/>, in index order.</summary>
    public List<OwnWrite> Between(long after, long upTo, string prefix)
    {
        var result = new List<OwnWrite>();
        lock (_gate)
        {
            int lo = 0, hi = _writes.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_writes[mid].Index <= after)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            for (int i = lo; i < _writes.Count && _writes[i].Index <= upTo; i++)
            {
                if (KeyPath.IsUnder(_writes[i].Key, prefix))
                {
                    result.Add(_writes[i]);
                }
            }
        }

        return result;
    }
}
