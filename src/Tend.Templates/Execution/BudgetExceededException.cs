namespace Tend.Templates.Execution;

/// <summary>
/// Thrown where a limit is hit without the render's state at hand (inside a function or the
/// printer); the call site turns it into a positioned <see cref="TemplateExecutionException"/>.
/// </summary>
internal sealed class BudgetExceededException : Exception
{
    public BudgetExceededException()
    {
    }

    public BudgetExceededException(string message)
        : base(message)
    {
    }

    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BudgetExceededException(TemplateLimitKind kind, string detail)
        : base(detail)
    {
        Kind = kind;
    }

    public TemplateLimitKind Kind { get; } = TemplateLimitKind.Memory;
}
