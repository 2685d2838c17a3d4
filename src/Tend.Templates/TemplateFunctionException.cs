namespace Tend.Templates;

/// <summary>
/// Thrown by a template function to fail the call; the engine reports it the way Go reports a
/// function's error: <c>error calling NAME: MESSAGE</c>.
/// </summary>
public sealed class TemplateFunctionException : Exception
{
    public TemplateFunctionException()
    {
    }

    public TemplateFunctionException(string message)
        : base(message)
    {
    }

    public TemplateFunctionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
