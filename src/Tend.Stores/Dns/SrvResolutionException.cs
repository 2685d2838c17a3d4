namespace Tend.Stores.Dns;

/// <summary>An SRV lookup failed: no name server answered, the answer was malformed, or the name does not exist.</summary>
internal sealed class SrvResolutionException : Exception
{
    public SrvResolutionException()
    {
    }

    public SrvResolutionException(string message)
        : base(message)
    {
    }

    public SrvResolutionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
