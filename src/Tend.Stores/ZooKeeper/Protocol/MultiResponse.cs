namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>One result of a multi: its type, error (for a failed multi) and, for creates and setData, path/stat.</summary>
internal sealed record MultiResult(OpCode Type, ZooKeeperErrorCode Error, string? Path, ZooKeeperStat? Stat);

/// <summary>
/// The results of a multi, one per operation. When the multi failed, every result is an error
/// result: the failing operation carries its code, the others Ok or RuntimeInconsistency.
/// </summary>
internal static class MultiResponse
{
    public static List<MultiResult> Read(ref JuteReader r)
    {
        var results = new List<MultiResult>();
        while (true)
        {
            var h = MultiHeader.Read(ref r);
            if (h.Done)
            {
                return results;
            }

            switch ((OpCode)h.Type)
            {
                case OpCode.Create:
                    results.Add(new MultiResult(OpCode.Create, ZooKeeperErrorCode.Ok, r.ReadString(), null));
                    break;
                case OpCode.Create2:
                case OpCode.CreateContainer:
                    results.Add(new MultiResult((OpCode)h.Type, ZooKeeperErrorCode.Ok, r.ReadString(), ZooKeeperStat.Read(ref r)));
                    break;
                case OpCode.SetData:
                    results.Add(new MultiResult(OpCode.SetData, ZooKeeperErrorCode.Ok, null, ZooKeeperStat.Read(ref r)));
                    break;
                case OpCode.Delete:
                case OpCode.Check:
                    results.Add(new MultiResult((OpCode)h.Type, ZooKeeperErrorCode.Ok, null, null));
                    break;
                case OpCode.Error:
                    results.Add(new MultiResult(OpCode.Error, (ZooKeeperErrorCode)r.ReadInt(), null, null));
                    break;
                default:
                    throw new ZooKeeperProtocolException($"Unexpected result type {h.Type} in a multi reply.");
            }
        }
    }
}
