namespace Tend.Modules.Render;

/// <summary>A resource could not be rendered (its data is not there, or its check failed); the old file stays.</summary>
public sealed class RenderFailedException : Exception
{
    public RenderFailedException()
    {
    }

    public RenderFailedException(string message)
        : base(message)
    {
    }

    public RenderFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
