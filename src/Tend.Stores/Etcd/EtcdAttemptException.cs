namespace Tend.Stores.Etcd;

/// <summary>
/// One attempt of a call on one endpoint failed. Thrown by a transport's attempt and caught by
/// <see cref="EtcdCallPolicy"/>, which decides what follows; it never reaches a caller of the store.
/// </summary>
internal sealed class EtcdAttemptException : Exception
{
    public EtcdAttemptException(EtcdFailure failure, string reason, Exception? innerException = null)
        : base(reason, innerException)
    {
        Failure = failure;
    }

    public EtcdAttemptException(EtcdError error, Exception? innerException = null)
        : base(error.Message, innerException)
    {
        Failure = EtcdFailure.Refused;
        Error = error;
    }

    public EtcdFailure Failure { get; }

    /// <summary>etcd's answer, when <see cref="Failure"/> is <see cref="EtcdFailure.Refused"/>.</summary>
    public EtcdError? Error { get; }
}
