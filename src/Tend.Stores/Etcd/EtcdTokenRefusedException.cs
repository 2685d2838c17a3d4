using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// A stream (watch, lease keep-alive) was refused because its auth token expired or its member forgot it.
/// The token is already dropped; opening the stream again authenticates afresh. This is routine (simple
/// tokens expire after <c>--auth-token-ttl</c>), so it is retried at once and not reported as an outage.
/// </summary>
internal sealed class EtcdTokenRefusedException : KvStoreUnavailableException
{
    public EtcdTokenRefusedException(string message)
        : base(message)
    {
    }

    public EtcdTokenRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public EtcdTokenRefusedException()
    {
    }
}
