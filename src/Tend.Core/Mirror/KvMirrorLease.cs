namespace Tend.Core.Mirror;

/// <summary>
/// A hold on the shared mirror of one prefix (<see cref="KvMirrorSet.Lease"/>): the mirror keeps watching while
/// any lease on it is held, and stops once the last one is disposed and no new lease came within the set's
/// linger time (a reload that keeps reading the prefix hands it over without a reload of the keys).
/// </summary>
public sealed class KvMirrorLease : IDisposable
{
    private readonly KvMirrorSet _set;
    private int _disposed;

    internal KvMirrorLease(KvMirrorSet set, KvMirror mirror)
    {
        _set = set;
        Mirror = mirror;
    }

    /// <summary>The mirror held.</summary>
    public KvMirror Mirror { get; }

    /// <summary>Gives the hold back; the last one lets the mirror stop after the linger time.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _set.Release(Mirror);
        }
    }
}
