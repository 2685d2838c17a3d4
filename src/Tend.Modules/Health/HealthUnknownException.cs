namespace Tend.Modules.Health;

/// <summary>A check or trigger cannot tell its state: bad cluster data (the message names the key), no environment, a store that does not answer. <c>tend check</c> exits 3.</summary>
public sealed class HealthUnknownException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HealthUnknownException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HealthUnknownException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public HealthUnknownException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
