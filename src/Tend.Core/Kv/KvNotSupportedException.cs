namespace Tend.Core.Kv;

/// <summary>The store cannot do this at all (a write to the read-only file store, an ephemeral entry where there are none).</summary>
public class KvNotSupportedException : KvStoreException
{
    public KvNotSupportedException()
    {
    }

    public KvNotSupportedException(string message)
        : base(message)
    {
    }

    public KvNotSupportedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
