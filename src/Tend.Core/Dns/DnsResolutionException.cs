namespace Tend.Core.Dns;

/// <summary>A DNS lookup failed: no name server answered, the name does not exist, or it has no records of the type asked.</summary>
public sealed class DnsResolutionException : Exception
{
    public DnsResolutionException()
    {
    }

    public DnsResolutionException(string message)
        : base(message)
    {
    }

    public DnsResolutionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
