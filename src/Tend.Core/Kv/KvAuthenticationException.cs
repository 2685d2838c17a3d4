namespace Tend.Core.Kv;

/// <summary>The store refused the credentials or the permission; retrying with the same settings will not help.</summary>
public class KvAuthenticationException : KvStoreException
{
    public KvAuthenticationException()
    {
    }

    public KvAuthenticationException(string message)
        : base(message)
    {
    }

    public KvAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
