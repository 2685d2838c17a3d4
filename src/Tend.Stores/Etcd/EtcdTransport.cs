namespace Tend.Stores.Etcd;

/// <summary>How the etcd store talks to etcd.</summary>
public enum EtcdTransport
{
    /// <summary>etcd's native gRPC API over HTTP/2 (h2c on <c>http://</c>, ALPN h2 on <c>https://</c>).</summary>
    Grpc,

    /// <summary>etcd's JSON gateway (<c>/v3/...</c>) over HTTP/1.1: for endpoints behind an HTTP/1.1-only proxy.</summary>
    Gateway,
}
