using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper;

/// <summary>
/// The outcome of a multi. When it failed, nothing was applied; <see cref="Errors"/> holds one code
/// per operation and <see cref="FirstError"/> the one that made it fail.
/// </summary>
internal sealed record ZooKeeperMultiResult(bool Succeeded, long Zxid, IReadOnlyList<ZooKeeperErrorCode> Errors, IReadOnlyList<string?> CreatedPaths)
{
    /// <summary>The first code other than Ok/RuntimeInconsistency, or Ok.</summary>
    public ZooKeeperErrorCode FirstError =>
        Errors.FirstOrDefault(e => e is not ZooKeeperErrorCode.Ok and not ZooKeeperErrorCode.RuntimeInconsistency);

    /// <summary>The index of the operation that failed, or -1.</summary>
    public int FailedIndex
    {
        get
        {
            for (int i = 0; i < Errors.Count; i++)
            {
                if (Errors[i] is not ZooKeeperErrorCode.Ok and not ZooKeeperErrorCode.RuntimeInconsistency)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
