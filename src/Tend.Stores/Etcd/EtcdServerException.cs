using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>etcd refused a request; carries the server's gRPC code and message.</summary>
public sealed class EtcdServerException : KvStoreException
{
    public EtcdServerException()
    {
    }

    public EtcdServerException(string message)
        : base(message)
    {
    }

    public EtcdServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public EtcdServerException(string message, int code, string serverMessage)
        : base(message)
    {
        Code = code;
        ServerMessage = serverMessage;
    }

    /// <summary>The gRPC status code etcd answered with, as a number (e.g. 3 invalid argument, 11 out of range, 14 unavailable; 2 unknown when an HTTP answer carried none).</summary>
    public int Code { get; }

    /// <summary>etcd's own message, e.g. <c>etcdserver: too many operations in txn request</c>.</summary>
    public string ServerMessage { get; } = string.Empty;
}
