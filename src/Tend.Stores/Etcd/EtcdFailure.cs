namespace Tend.Stores.Etcd;

/// <summary>What a failed attempt means to <see cref="EtcdCallPolicy"/>; the transport that made it tells which.</summary>
internal enum EtcdFailure
{
    /// <summary>Connect, TLS or name resolution failed: the request surely never reached a server.</summary>
    NotSent,

    /// <summary>The connection broke after the request may have been sent: a write may or may not have been applied.</summary>
    Broken,

    /// <summary>No answer within the request timeout: a write may or may not have been applied.</summary>
    TimedOut,

    /// <summary>etcd answered with an error (<see cref="EtcdAttemptException.Error"/>).</summary>
    Refused,
}
