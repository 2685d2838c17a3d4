namespace Tend.Core.Kv;

/// <summary>The store could not be reached or the connection broke; the operation may be retried.</summary>
public class KvStoreUnavailableException : KvStoreException
{
    public KvStoreUnavailableException()
    {
    }

    public KvStoreUnavailableException(string message)
        : base(message)
    {
    }

    public KvStoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
