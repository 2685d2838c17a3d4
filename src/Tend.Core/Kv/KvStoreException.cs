namespace Tend.Core.Kv;

/// <summary>A store operation failed. The message names the store and, where there is one, the server's own error.</summary>
public class KvStoreException : Exception
{
    public KvStoreException()
    {
    }

    public KvStoreException(string message)
        : base(message)
    {
    }

    public KvStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
