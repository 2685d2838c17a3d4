using System.Text;
using Google.Protobuf;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd.Grpc;

/// <summary>Between the generated protobuf messages and the store's own types.</summary>
internal static class EtcdGrpcCodec
{
    public static ByteString Bytes(byte[] value) => UnsafeByteOperations.UnsafeWrap(value);

    public static ByteString Text(string value) => UnsafeByteOperations.UnsafeWrap(Encoding.UTF8.GetBytes(value));

    public static RangeRequest Range(EtcdRangeRequest r)
    {
        var request = new RangeRequest
        {
            Key = Bytes(r.Key),
            Limit = r.Limit,
            Revision = r.Revision,
            Serializable = r.Serializable,
            CountOnly = r.CountOnly,
            KeysOnly = r.KeysOnly,
            MinModRevision = r.MinModRevision,
        };
        if (r.End is not null)
        {
            request.RangeEnd = Bytes(r.End);
        }

        return request;
    }

    public static EtcdKeyValue FromKeyValue(KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    public static TxnRequest Txn(IReadOnlyList<KvCompare> compares, IReadOnlyList<EtcdTxnPlanner.Op> operations)
    {
        var txn = new TxnRequest();
        foreach (var c in compares)
        {
            txn.Compare.Add(Compare(c));
        }

        foreach (var op in operations)
        {
            txn.Success.Add(op.IsPut
                ? new RequestOp { RequestPut = new PutRequest { Key = Text(op.Key), Value = Text(op.Value!) } }
                : new RequestOp { RequestDeleteRange = DeleteRange(op.Start, op.End) });
        }

        return txn;
    }

    public static EtcdTxnResponse FromTxn(TxnResponse r)
    {
        long deleted = 0;
        foreach (var op in r.Responses)
        {
            if (op.ResponseCase == ResponseOp.ResponseOneofCase.ResponseDeleteRange)
            {
                deleted += op.ResponseDeleteRange.Deleted;
            }
        }

        return new EtcdTxnResponse(r.Header?.Revision ?? 0, r.Succeeded, deleted);
    }

    public static DeleteRangeRequest DeleteRange(byte[] key, byte[]? rangeEnd)
    {
        var request = new DeleteRangeRequest { Key = Bytes(key) };
        if (rangeEnd is not null)
        {
            request.RangeEnd = Bytes(rangeEnd);
        }

        return request;
    }

    public static EtcdMember FromMember(Member m) => new(m.ID, m.Name, [.. m.PeerURLs], [.. m.ClientURLs], m.IsLearner);

    public static WatchRequest Create(EtcdWatchCreate create, long watchId) => new()
    {
        CreateRequest = new WatchCreateRequest
        {
            Key = Bytes(create.Key),
            RangeEnd = Bytes(create.End),
            StartRevision = create.StartRevision,
            PrevKv = true,
            ProgressNotify = true,
            WatchId = watchId,
            Fragment = true,
        },
    };

    /// <summary>Appends the content of <paramref name="r"/> to <paramref name="into"/> (a new message when null).</summary>
    public static EtcdWatchResponse FromWatch(WatchResponse r, EtcdWatchResponse? into)
    {
        var m = into ?? new EtcdWatchResponse();
        m.Revision = r.Header?.Revision ?? m.Revision;
        m.WatchId = r.WatchId;
        m.Created |= r.Created;
        m.Canceled |= r.Canceled;
        m.CompactRevision = Math.Max(m.CompactRevision, r.CompactRevision);
        m.Fragment = r.Fragment;
        if (!string.IsNullOrEmpty(r.CancelReason))
        {
            m.CancelReason = r.CancelReason;
        }

        foreach (var e in r.Events)
        {
            m.Events.Add(new EtcdEvent(e.Type == Event.Types.EventType.Delete, FromKeyValue(e.Kv), e.PrevKv is null ? null : e.PrevKv.Value.ToStringUtf8()));
        }

        return m;
    }

    private static Compare Compare(KvCompare compare)
    {
        var c = new Compare
        {
            Key = Text(KeyPath.Normalize(compare.Key)),
            Result = compare.Operator switch
            {
                KvCompareOperator.Equal => global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareResult.Equal,
                KvCompareOperator.NotEqual => global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareResult.NotEqual,
                KvCompareOperator.Greater => global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareResult.Greater,
                _ => global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareResult.Less,
            },
        };
        switch (compare.Target)
        {
            case KvCompareTarget.Value:
                c.Target = global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareTarget.Value;
                c.Value = Text(compare.Value ?? string.Empty);
                break;
            case KvCompareTarget.Version:
                c.Target = global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareTarget.Version;
                c.Version = compare.Number;
                break;
            case KvCompareTarget.CreateRevision:
                c.Target = global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareTarget.Create;
                c.CreateRevision = compare.Number;
                break;
            default:
                c.Target = global::Tend.Stores.Etcd.Grpc.Compare.Types.CompareTarget.Mod;
                c.ModRevision = compare.Number;
                break;
        }

        return c;
    }
}
